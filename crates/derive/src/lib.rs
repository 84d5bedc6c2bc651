//! `#[derive(kmsim_de::Deserialize)]`: implements `serde::Deserialize` for a struct with named fields through the
//! shared visitor of `kmsim-de` (see that crate for why). Reads the struct's own `#[serde(...)]` attributes, so the
//! field names are written once for serde's `Serialize`, schemars and this derive:
//!
//! - on the struct: `deny_unknown_fields`, `rename_all = "PascalCase"`;
//! - on a field: `rename = "NAME"`, `default` (the value left out is the struct's `Default` for that field).
//!
//! Attributes that change how serde reads a field in other ways (`flatten`, `skip`, `with`, `alias`, ...) are
//! refused at compile time rather than silently read differently. The struct must implement `Default`: it is the
//! starting value, and fields left out keep their value from it.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr, Type};

#[proc_macro_derive(Deserialize, attributes(serde))]
pub fn derive_deserialize(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// One field: its Rust name, its JSON name, and whether it may be left out of an object / of an array.
struct Field {
    ident: syn::Ident,
    name: String,
    default: bool,
    option: bool,
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "kmsim_de::Deserialize supports structs only"));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(&input.ident, "kmsim_de::Deserialize needs named fields"));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(&input.generics, "kmsim_de::Deserialize does not support generics"));
    }
    let mut deny_unknown = false;
    let mut pascal = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                deny_unknown = true;
            } else if meta.path.is_ident("rename_all") {
                let v: LitStr = meta.value()?.parse()?;
                if v.value() != "PascalCase" {
                    return Err(meta.error("kmsim_de::Deserialize supports only `rename_all = \"PascalCase\"`"));
                }
                pascal = true;
            } else {
                return Err(meta.error("kmsim_de::Deserialize does not support this serde attribute"));
            }
            Ok(())
        })?;
    }
    let mut fields = Vec::new();
    for f in &named.named {
        let Some(ident) = f.ident.clone() else { continue };
        let mut name = ident.to_string();
        if pascal {
            name = to_pascal(&name);
        }
        let mut default = false;
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let v: LitStr = meta.value()?.parse()?;
                    name = v.value();
                } else if meta.path.is_ident("default") {
                    // `default = "path"`: the struct's `Default` must give the same value (see the crate docs).
                    if meta.input.peek(syn::Token![=]) {
                        let _: LitStr = meta.value()?.parse()?;
                    }
                    default = true;
                } else if meta.path.is_ident("skip_serializing_if") {
                    let _: LitStr = meta.value()?.parse()?;
                } else {
                    return Err(meta.error("kmsim_de::Deserialize does not support this serde attribute"));
                }
                Ok(())
            })?;
        }
        fields.push(Field { ident, name, default, option: is_option(&f.ty) });
    }
    if fields.len() > 64 {
        return Err(syn::Error::new_spanned(&input.ident, "kmsim_de::Deserialize supports at most 64 fields"));
    }
    let ty = &input.ident;
    let ty_name = ty.to_string();
    let names = fields.iter().map(|f| &f.name);
    let bits = |pred: &dyn Fn(&Field) -> bool| -> u64 {
        fields.iter().enumerate().filter(|(_, f)| pred(f)).fold(0u64, |acc, (i, _)| acc | 1 << i)
    };
    // serde_derive: a field without `default` is required, except that an `Option` left out of an object is `None`.
    let required_map = bits(&|f| !f.default && !f.option);
    let required_seq = bits(&|f| !f.default);
    let arms = fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        quote! { #i => src.put(&mut self.#ident), }
    });
    Ok(quote! {
        impl ::kmsim_de::Fields for #ty {
            const META: ::kmsim_de::Meta = ::kmsim_de::Meta {
                name: #ty_name,
                fields: &[#(#names),*],
                required_map: #required_map,
                required_seq: #required_seq,
                deny_unknown: #deny_unknown,
            };
            fn read<'de, M, S>(&mut self, i: usize, src: &mut ::kmsim_de::Source<M, S>) -> ::core::result::Result<bool, M::Error>
            where
                M: ::kmsim_de::__serde::de::MapAccess<'de>,
                S: ::kmsim_de::__serde::de::SeqAccess<'de, Error = M::Error>,
            {
                match i {
                    #(#arms)*
                    _ => ::core::result::Result::Ok(false),
                }
            }
        }

        impl<'de> ::kmsim_de::__serde::Deserialize<'de> for #ty {
            fn deserialize<D: ::kmsim_de::__serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                ::kmsim_de::read(d)
            }
        }
    })
}

/// serde's `rename_all = "PascalCase"` of a snake_case name: each `_`-separated word capitalised.
fn to_pascal(snake: &str) -> String {
    let mut out = String::new();
    let mut capitalize = true;
    for c in snake.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}
