//! QR codes drawn as inline SVG: one path of dark modules, crisp at any size, no image
//! request (the CSP allows none from elsewhere anyway).

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// The SVG of a QR code for `text`, with a quiet zone of four modules; None if `text` is
/// too long for a QR code.
pub fn svg(text: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let size = width + 8;
    let mut path = String::with_capacity(width * width * 4);
    for (index, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (index % width + 4, index / width + 4);
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_drawn_with_its_quiet_zone() {
        let svg = super::svg("http://127.0.0.1:8080/app#code=ABCD", "二维码").unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("viewBox=\"0 0 37 37\""), "{svg}");
    }
}
