//! A small XML helper over quick-xml: every attribute value and text is escaped by quick-xml,
//! so names like `<&"]]>` come out as text, never as markup.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::RenderError;

/// The OFD namespace of GB/T 33190-2016.
const NAMESPACE: &str = "http://www.ofdspec.org/2016";

type Attrs<'a> = [(&'a str, &'a str)];

/// Writes one XML part.
pub(super) struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    pub(super) fn new() -> Self {
        Self {
            writer: Writer::new(Vec::with_capacity(4096)),
        }
    }

    /// Writes the declaration and the root element (with the OFD namespace) and returns the
    /// finished bytes.
    pub(super) fn root(
        &mut self,
        name: &str,
        attrs: &Attrs<'_>,
        body: impl FnOnce(&mut Xml) -> std::io::Result<()>,
    ) -> Result<Vec<u8>, RenderError> {
        let decl = BytesDecl::new("1.0", Some("UTF-8"), None);
        self.writer.write_event(Event::Decl(decl))?;
        let mut all = vec![("xmlns:ofd", NAMESPACE)];
        all.extend_from_slice(attrs);
        self.parent(name, &all, body)?;
        Ok(std::mem::take(self.writer.get_mut()))
    }

    /// An element with children written by `body`.
    pub(super) fn parent(
        &mut self,
        name: &str,
        attrs: &Attrs<'_>,
        body: impl FnOnce(&mut Xml) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let start = quick_xml::events::BytesStart::new(name).with_attributes(attrs.iter().copied());
        let end = start.to_end().into_owned();
        self.writer.write_event(Event::Start(start))?;
        body(self)?;
        self.writer.write_event(Event::End(end))
    }

    /// An element holding only text.
    pub(super) fn text(&mut self, name: &str, text: &str) -> std::io::Result<()> {
        self.text_with(name, &[], text)
    }

    /// An element with attributes holding only text.
    pub(super) fn text_with(
        &mut self,
        name: &str,
        attrs: &Attrs<'_>,
        text: &str,
    ) -> std::io::Result<()> {
        self.writer
            .create_element(name)
            .with_attributes(attrs.iter().copied())
            .write_text_content(BytesText::new(text))?;
        Ok(())
    }

    /// An element with attributes only.
    pub(super) fn empty(&mut self, name: &str, attrs: &Attrs<'_>) -> std::io::Result<()> {
        self.writer
            .create_element(name)
            .with_attributes(attrs.iter().copied())
            .write_empty()?;
        Ok(())
    }
}

/// A number in millimetres as OFD writes it: at most three decimals, no trailing zeros.
pub(super) fn num(value: f32) -> String {
    let mut out = String::with_capacity(8);
    push_num(&mut out, value);
    out
}

/// Appends `value` as [`num`] writes it. Integer arithmetic instead of float formatting:
/// a page has tens of thousands of numbers, and this is the OFD writer's hot path.
pub(super) fn push_num(out: &mut String, value: f32) {
    use std::fmt::Write as _;

    // Page coordinates stay far below 2^31 thousandths of a millimetre, so the cast is exact.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "page coordinates are small"
    )]
    let thousandths = (f64::from(value) * 1000.0).round() as i64;
    if thousandths < 0 {
        out.push('-');
    }
    let magnitude = thousandths.unsigned_abs();
    let _ = write!(out, "{}", magnitude / 1000);
    let mut fraction = magnitude % 1000;
    if fraction == 0 {
        return;
    }
    let mut digits = 3;
    while fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    let _ = write!(out, ".{fraction:0digits$}");
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_written_short_and_exact_to_a_micrometre() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(4.25), "4.25");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(-2.05), "-2.05");
        assert_eq!(num(0.007), "0.007");
        assert_eq!(num(1.23456), "1.235");
    }
}
