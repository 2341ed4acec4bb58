//! QR codes for authenticator apps.

use crate::error::{AppError, OrInternal};

/// The QR code of `text` as an `<img>`-ready SVG data URI (the page's CSP allows `data:`
/// images, and an image cannot run script).
pub fn svg_data_uri(text: &str) -> Result<String, AppError> {
    use base64::Engine;
    let code = qrcode::QrCode::new(text.as_bytes()).or_internal("drawing a QR code")?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}
