//! Mounts the playground on the page's `<body>`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<kmsim_web::App>::new().render();
}
