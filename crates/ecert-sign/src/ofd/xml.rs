//! Reads the signature list and the signature description, refusing DTDs and entity
//! references: ecert writes neither, and both are ways to make a parser misbehave.

use std::collections::BTreeMap;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::Refusal;

/// One element: its local name, attributes, and the text directly inside it.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
}

/// What `Signature.xml` points at, with paths resolved inside the package.
pub(crate) struct Described {
    /// Part path → base64 SM3 digest.
    pub(crate) references: BTreeMap<String, String>,
    /// The seal file (`Seal.esl`).
    pub(crate) seal: String,
    /// The signature value file (`SignedValue.dat`).
    pub(crate) signed_value: String,
}

/// The `BaseLoc` of the only signature in `Signatures.xml`, as a package path.
pub(crate) fn signature_location(xml: &[u8]) -> Result<String, Refusal> {
    let elements = elements(xml, "Signatures.xml")?;
    let mut signatures = elements.iter().filter(|e| e.name == "Signature");
    let signature = signatures.next().ok_or(Refusal::NotSigned)?;
    if signatures.next().is_some() {
        return Err(Refusal::Malformed("more than one signature".into()));
    }
    let location = signature
        .attributes
        .get("BaseLoc")
        .ok_or_else(|| Refusal::Malformed("signature without BaseLoc".into()))?;
    Ok(resolve("Doc_0/Signs", location))
}

/// The references, seal and signature value of `Signature.xml`.
pub(crate) fn read_signature(xml: &[u8]) -> Result<Described, Refusal> {
    let elements = elements(xml, "Signature.xml")?;
    check_methods(&elements)?;
    let mut references = BTreeMap::new();
    let mut current = None;
    for element in &elements {
        match element.name.as_str() {
            "Reference" => current = element.attributes.get("FileRef").map(|r| resolve("", r)),
            "CheckValue" => {
                let path = current.take().ok_or_else(|| missing("FileRef"))?;
                if references
                    .insert(path.clone(), element.text.clone())
                    .is_some()
                {
                    return Err(Refusal::Malformed(format!("{path} referenced twice")));
                }
            }
            _ => {}
        }
    }
    let text_of = |name: &str| {
        elements
            .iter()
            .find(|e| e.name == name)
            .map(|e| resolve("Doc_0/Signs/Sign_0", &e.text))
            .ok_or_else(|| missing(name))
    };
    Ok(Described {
        references,
        seal: text_of("BaseLoc")?,
        signed_value: text_of("SignedValue")?,
    })
}

/// The description must name SM2 with SM3 and SM3 references: nothing else is checked.
fn check_methods(elements: &[Element]) -> Result<(), Refusal> {
    let method = elements.iter().find(|e| e.name == "SignatureMethod");
    let check = elements
        .iter()
        .find(|e| e.name == "References")
        .and_then(|e| e.attributes.get("CheckMethod"));
    let sm2 = method.is_some_and(|m| m.text == super::ses::OID_SM2_SM3.to_string());
    if !sm2 || check.map(String::as_str) != Some(super::ses::OID_SM3) {
        return Err(Refusal::Malformed("not SM2 with SM3 references".into()));
    }
    Ok(())
}

fn missing(what: &str) -> Refusal {
    Refusal::Malformed(format!("Signature.xml without {what}"))
}

/// A location as a package path: absolute (`/Doc_0/...`) or relative to `dir`.
fn resolve(dir: &str, location: &str) -> String {
    match location.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None if dir.is_empty() => location.to_owned(),
        None => format!("{dir}/{location}"),
    }
}

/// The first web address a `CT_Action` of the page content opens (`<ofd:URI URI="…"/>`):
/// ecert puts the verification page there, over the QR code.
pub(crate) fn first_uri(content: &[u8]) -> Option<String> {
    elements(content, "Content.xml")
        .ok()?
        .into_iter()
        .find(|e| e.name == "URI")
        .and_then(|mut e| e.attributes.remove("URI"))
}

/// All elements in document order.
fn elements(xml: &[u8], part: &str) -> Result<Vec<Element>, Refusal> {
    let bad = |why: String| Refusal::Malformed(format!("{part}: {why}"));
    let text = std::str::from_utf8(xml).map_err(|e| bad(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| bad(e.to_string()))? {
            Event::Start(e) => {
                open.push(elements.len());
                elements.push(element(&e).map_err(bad)?);
            }
            Event::Empty(e) => elements.push(element(&e).map_err(bad)?),
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    elements[i].text.push_str(t.xml10_content().trim());
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::GeneralRef(reference) => {
                let character = builtin_reference(&reference).ok_or_else(|| {
                    bad(format!("the entity reference &{}; is refused", &*reference))
                })?;
                if let Some(&i) = open.last() {
                    elements[i].text.push(character);
                }
            }
            Event::DocType(_) => return Err(bad("DTDs are refused".into())),
            Event::Eof => return Ok(elements),
            _ => {}
        }
    }
}

/// The character a reference every XML reader knows stands for: one of the five predefined
/// entities or a character reference. Those cannot expand into more text; anything else
/// would need a DTD, and DTDs are refused.
fn builtin_reference(reference: &BytesRef<'_>) -> Option<char> {
    if reference.is_char_ref() {
        return reference.resolve_char_ref().ok().flatten();
    }
    quick_xml::escape::resolve_predefined_entity(reference).and_then(|text| text.chars().next())
}

fn element(start: &BytesStart<'_>) -> Result<Element, String> {
    let mut attributes = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        let key = attribute.key.local_name();
        attributes.insert(key.as_ref().to_owned(), value.into_owned());
    }
    Ok(Element {
        name: start.local_name().as_ref().to_owned(),
        attributes,
        text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_entities_and_character_references_read_as_their_character() {
        let page = concat!(
            r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">"#,
            "<ofd:TextCode>People&apos;s &#x4E2D;</ofd:TextCode>",
            r#"<ofd:URI URI="https://e.example/v/a?b=1&amp;c=2"/></ofd:Page>"#,
        )
        .as_bytes();
        let all = elements(page, "Content.xml").expect("well-formed");
        assert_eq!(all[1].text, "People's中");
        assert_eq!(
            first_uri(page).as_deref(),
            Some("https://e.example/v/a?b=1&c=2")
        );
    }

    #[test]
    fn an_entity_a_dtd_would_define_is_refused() {
        let refused = elements(b"<a>&outside;</a>", "Content.xml").unwrap_err();
        assert!(refused.to_string().contains("&outside;"), "{refused}");
    }
}
