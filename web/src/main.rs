//! Mounts the playground (index.html) or the embed (embed.html, `<body data-embed>`) on the page's `<body>`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    if kmsim_web::is_embed() {
        yew::Renderer::<kmsim_web::Embed>::new().render();
    } else {
        yew::Renderer::<kmsim_web::App>::new().render();
    }
}
