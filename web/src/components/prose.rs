//! Markdown text (a lesson's description, its exercise, hints, step notes) rendered from [`crate::markdown`]'s tree:
//! only the elements the tree allows, links to web pages opening in a new tab.

use yew::prelude::*;

use crate::markdown::{self, Md};

#[derive(Properties, PartialEq)]
pub struct ProseProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// Block Markdown in a `div.prose`.
#[component]
pub fn Prose(props: &ProseProps) -> Html {
    let nodes = markdown::parse(&props.text);
    html! {
        <div class={classes!("prose", "md", props.class.clone())} data-testid={props.testid.clone()}>
            { for nodes.iter().map(node) }
        </div>
    }
}

/// Inline Markdown (a one-line note or goal): the paragraph's content without the paragraph.
#[component]
pub fn InlineProse(props: &ProseProps) -> Html {
    let nodes = markdown::parse(&props.text);
    let inner: Vec<&Md> = nodes
        .iter()
        .flat_map(|n| match n {
            Md::Elem { tag: "p", children, .. } => children.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect();
    html! {
        <span class={classes!("md", props.class.clone())} data-testid={props.testid.clone()}>
            { for inner.into_iter().map(node) }
        </span>
    }
}

fn node(n: &Md) -> Html {
    match n {
        Md::Text(t) => html! { {t.clone()} },
        Md::Code(c) => html! { <code>{c.clone()}</code> },
        Md::Elem { tag: "a", href: Some(href), children } => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ for children.iter().map(node) }</a>
        },
        Md::Elem { tag: "br", .. } => html! { <br /> },
        Md::Elem { tag, children, .. } => html! {
            <@{tag.to_string()}>{ for children.iter().map(node) }</@>
        },
    }
}
