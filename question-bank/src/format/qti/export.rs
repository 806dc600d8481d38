//! Items written as a QTI 2.1 content package: one `assessmentItem` file per item and a
//! manifest carrying their LOM metadata.

use std::io::{Cursor, Write};

use super::super::letter;
use super::super::xml::{esc, text_to_xhtml};
use crate::error::BankError;
use crate::item::{Item, ItemKind};

const QTI_NS: &str = "http://www.imsglobal.org/xsd/imsqti_v2p1";

fn item_xml(id: &str, item: &Item) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<assessmentItem xmlns=\"{QTI_NS}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd\" \
         identifier=\"{id}\" title=\"{}\" adaptive=\"false\" timeDependent=\"false\">\n",
        esc(&super::super::moodle_xml::name_of(item))
    ));
    x.push_str(&response_declaration(item));
    let points = item.points;
    x.push_str(&format!(
        "  <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\" \
         normalMaximum=\"{points}\"><defaultValue><value>0</value></defaultValue>\
         </outcomeDeclaration>\n  <outcomeDeclaration identifier=\"MAXSCORE\" \
         cardinality=\"single\" baseType=\"float\"><defaultValue><value>{points}</value>\
         </defaultValue></outcomeDeclaration>\n"
    ));
    if item.explanation.is_some() {
        x.push_str(
            "  <outcomeDeclaration identifier=\"FEEDBACK\" cardinality=\"single\" \
             baseType=\"identifier\"/>\n",
        );
    }
    x.push_str(&item_body(item));
    let template = if item.kind == ItemKind::FillBlank {
        "map_response"
    } else {
        "match_correct"
    };
    x.push_str(&format!(
        "  <responseProcessing \
         template=\"http://www.imsglobal.org/question/qti_v2p1/rptemplates/{template}\"/>\n"
    ));
    if let Some(e) = &item.explanation {
        x.push_str(&format!(
            "  <modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"EXPLANATION\" \
             showHide=\"hide\">{}</modalFeedback>\n",
            text_to_xhtml(e)
        ));
    }
    x.push_str("</assessmentItem>\n");
    x
}

/// The `responseDeclaration`: the correct choices, or the accepted answers mapped to full points.
fn response_declaration(item: &Item) -> String {
    let mut x = String::new();
    let points = item.points;
    match item.kind {
        ItemKind::FillBlank => {
            x.push_str(
                "  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" \
                 baseType=\"string\">\n",
            );
            if let Some(first) = item.answer.first() {
                x.push_str(&format!(
                    "    <correctResponse><value>{}</value></correctResponse>\n",
                    esc(first)
                ));
            }
            x.push_str("    <mapping defaultValue=\"0\">\n");
            for a in &item.answer {
                x.push_str(&format!(
                    "      <mapEntry mapKey=\"{}\" mappedValue=\"{points}\"/>\n",
                    esc(a)
                ));
            }
            x.push_str("    </mapping>\n  </responseDeclaration>\n");
        }
        kind => {
            let cardinality = if kind == ItemKind::Multiple {
                "multiple"
            } else {
                "single"
            };
            x.push_str(&format!(
                "  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"{cardinality}\" \
                 baseType=\"identifier\">\n    <correctResponse>\n"
            ));
            for (i, o) in item.options.iter().enumerate() {
                if o.correct {
                    x.push_str(&format!("      <value>{}</value>\n", letter(i)));
                }
            }
            x.push_str("    </correctResponse>\n  </responseDeclaration>\n");
        }
    }
    x
}

/// The `itemBody`: the stem and the interaction, a text entry or the choices.
fn item_body(item: &Item) -> String {
    let mut x = String::from("  <itemBody>\n");
    let stem = text_to_xhtml(&item.stem);
    match item.kind {
        ItemKind::FillBlank => {
            x.push_str(&format!("    <p>{stem}</p>\n"));
            x.push_str(
                "    <p><textEntryInteraction responseIdentifier=\"RESPONSE\" \
                 expectedLength=\"20\"/></p>\n",
            );
        }
        kind => {
            let max = if kind == ItemKind::Multiple { 0 } else { 1 };
            let class = if kind == ItemKind::TrueFalse {
                " class=\"true_false\""
            } else {
                ""
            };
            x.push_str(&format!(
                "    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" \
                 maxChoices=\"{max}\"{class}>\n      <prompt>{stem}</prompt>\n"
            ));
            for (i, o) in item.options.iter().enumerate() {
                x.push_str(&format!(
                    "      <simpleChoice identifier=\"{}\" fixed=\"{}\">{}</simpleChoice>\n",
                    letter(i),
                    o.fixed,
                    text_to_xhtml(&o.text)
                ));
            }
            x.push_str("    </choiceInteraction>\n");
        }
    }
    x.push_str("  </itemBody>\n");
    x
}

fn lom_xml(item: &Item) -> String {
    let difficulty = match item.difficulty.level() {
        1 => "easy",
        2 => "medium",
        _ => "difficult",
    };
    let mut x = String::from("        <imsmd:lom>\n          <imsmd:general>\n");
    for tag in &item.tags {
        x.push_str(&format!(
            "            <imsmd:keyword><imsmd:string>{}</imsmd:string></imsmd:keyword>\n",
            esc(tag)
        ));
    }
    x.push_str(&format!(
        "          </imsmd:general>\n          <imsmd:educational>\n            \
         <imsmd:difficulty><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>{difficulty}\
         </imsmd:value></imsmd:difficulty>\n          </imsmd:educational>\n          \
         <imsmd:classification>\n            <imsmd:purpose><imsmd:source>LOMv1.0\
         </imsmd:source><imsmd:value>discipline</imsmd:value></imsmd:purpose>\n            \
         <imsmd:taxonPath>\n              <imsmd:source><imsmd:string>thituyen</imsmd:string>\
         </imsmd:source>\n"
    ));
    for level in item.topic.split('/') {
        x.push_str(&format!(
            "              <imsmd:taxon><imsmd:entry><imsmd:string>{}</imsmd:string>\
             </imsmd:entry></imsmd:taxon>\n",
            esc(level)
        ));
    }
    x.push_str(
        "            </imsmd:taxonPath>\n          </imsmd:classification>\n        \
         </imsmd:lom>\n",
    );
    x
}

/// An IMS content package: `imsmanifest.xml` and one `items/item-NNNN.xml` per item.
pub(crate) fn export(items: &[Item]) -> Result<Vec<u8>, BankError> {
    let mut manifest = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest \
         xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\" \
         xmlns:imsmd=\"http://ltsc.ieee.org/xsd/LOM\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         identifier=\"thituyen-export\">\n  <metadata>\n    <schema>QTIv2.1 Package</schema>\n    \
         <schemaversion>1.0.0</schemaversion>\n  </metadata>\n  <organizations/>\n  \
         <resources>\n",
    );
    let mut files = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = format!("item-{:04}", i + 1);
        let href = format!("items/{id}.xml");
        manifest.push_str(&format!(
            "    <resource identifier=\"{id}\" type=\"imsqti_item_xmlv2p1\" href=\"{href}\">\n      \
             <metadata>\n{}      </metadata>\n      <file href=\"{href}\"/>\n    </resource>\n",
            lom_xml(item)
        ));
        files.push((href, item_xml(&id, item)));
    }
    manifest.push_str("  </resources>\n</manifest>\n");

    let zip_error = |e: &dyn std::fmt::Display| {
        BankError::one("export", format!("cannot write the QTI package: {e}"))
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed timestamp makes the same bank export to the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in std::iter::once(("imsmanifest.xml".to_string(), manifest)).chain(files) {
        zip.start_file(name, options).map_err(|e| zip_error(&e))?;
        zip.write_all(content.as_bytes())
            .map_err(|e| zip_error(&e))?;
    }
    let cursor = zip.finish().map_err(|e| zip_error(&e))?;
    Ok(cursor.into_inner())
}
