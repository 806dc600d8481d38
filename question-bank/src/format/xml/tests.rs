use super::*;

fn parse(bytes: &[u8]) -> Result<Element, String> {
    super::parse(bytes, &Guard::new(&ImportLimits::default(), &|| false))
}

#[test]
fn parses_elements_text_cdata_and_references() {
    let root = parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<q:quiz xmlns:q=\"x\" a=\"1 &amp; 2\">\
         <t>Hà &lt;Nội&gt; &#272;<![CDATA[<b>x</b>]]></t><e/></q:quiz>"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(root.name, "quiz");
    assert_eq!(root.attr("a"), Some("1 & 2"));
    assert_eq!(root.child("t").unwrap().text(), "Hà <Nội> Đ<b>x</b>");
    assert!(root.child("e").is_some());
}

#[test]
fn billion_laughs_is_refused() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"#;
    assert_eq!(
        parse(bomb.as_bytes()).unwrap_err(),
        "DOCTYPE with entity declarations is not accepted"
    );
}

#[test]
fn external_entity_is_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz>&xxe;</quiz>"#;
    assert_eq!(
        parse(xxe.as_bytes()).unwrap_err(),
        "DOCTYPE with entity declarations is not accepted"
    );
    // Without a declaration the reference is simply undefined, never fetched.
    let undeclared = "<quiz>&xxe;</quiz>";
    assert!(parse(undeclared.as_bytes())
        .unwrap_err()
        .contains("undefined entity"));
}

#[test]
fn malformed_and_non_utf8_xml_is_refused() {
    assert!(parse(b"<a><b></a>").is_err());
    assert!(parse(b"<a>\xff</a>").unwrap_err().contains("UTF-8"));
    assert!(
        parse(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>")
            .unwrap_err()
            .contains("ISO-8859-1")
    );
    let deep = "<a>".repeat(65);
    assert!(parse(deep.as_bytes())
        .unwrap_err()
        .contains("deeper than 64"));
    assert!(parse(format!("{}x", "<a>".repeat(64)).as_bytes())
        .unwrap_err()
        .contains("ends inside an element"));
}

#[test]
fn a_long_text_run_or_tag_is_refused_without_being_copied_whole() {
    let limits = ImportLimits {
        max_text_bytes: 1000,
        ..ImportLimits::default()
    };
    let guard = Guard::new(&limits, &|| false);
    let text = format!("<a>{}</a>", "x".repeat(5000));
    let message = super::parse(text.as_bytes(), &guard).unwrap_err();
    assert!(message.contains("longer than 1000 bytes"), "{message}");
    let tag = format!("<a b=\"{}\"/>", "x".repeat(5000));
    assert!(super::parse(tag.as_bytes(), &guard).is_err());
    let fits = format!("<a>{}</a>", "x".repeat(900));
    assert!(super::parse(fits.as_bytes(), &guard).is_ok());
}

#[test]
fn the_tree_held_at_once_is_bounded_and_detached_elements_do_not_count() {
    let limits = ImportLimits {
        max_parsed_bytes: 64 * 1024,
        ..ImportLimits::default()
    };
    let guard = Guard::new(&limits, &|| false);
    let many = format!("<quiz>{}</quiz>", "<q><t>x</t></q>".repeat(5000));
    let message = super::parse(many.as_bytes(), &guard).unwrap_err();
    assert!(message.contains("limit for parsed data"), "{message}");

    let mut seen = 0;
    let mut count = |q: Element| {
        assert_eq!(q.text(), "x");
        seen += 1;
        Ok(())
    };
    let mut detach = Detach {
        when: &|depth, name| depth == 1 && name == "q",
        then: &mut count,
    };
    let root = parse_stream(many.as_bytes(), &guard, &mut detach).unwrap();
    assert_eq!(root.name, "quiz");
    assert!(root.children.is_empty());
    assert_eq!(seen, 5000);
}

#[test]
fn the_parse_stops_when_the_clock_says_so() {
    let limits = ImportLimits::default();
    let guard = Guard::new(&limits, &|| true);
    let many = format!("<quiz>{}</quiz>", "<q/>".repeat(10_000));
    let message = super::parse(many.as_bytes(), &guard).unwrap_err();
    assert!(message.contains("time limit"), "{message}");
}

#[test]
fn script_and_ampersand_heavy_html_is_converted_in_linear_time() {
    let html = "<SCRIPT>x</script>".repeat(200_000);
    assert_eq!(html_to_text(&html).unwrap(), "");
    let amps = "&".repeat(2_000_000);
    assert_eq!(html_to_text(&amps).unwrap(), amps);
    assert_eq!(
        html_to_text("a &amp; b &#x110; &nosuch; c").unwrap(),
        "a & b Đ &nosuch; c"
    );
}

#[test]
fn html_becomes_plain_text() {
    assert_eq!(
        html_to_text("<p dir=\"ltr\">Thủ đô&nbsp;là\n   <b>Hà Nội</b>?</p>\n<p>Dòng 2<br>x</p>")
            .unwrap(),
        "Thủ đô là Hà Nội?\nDòng 2\nx"
    );
    assert_eq!(
        html_to_text("a &lt; b &amp;&amp; c &#x110;").unwrap(),
        "a < b && c Đ"
    );
    assert!(html_to_text("<p><img src=\"@@PLUGINFILE@@/a.png\"></p>").is_err());
    let text = "Dòng một\n\nDòng <ba> & \"bốn\"";
    assert_eq!(html_to_text(&text_to_xhtml(text)).unwrap(), text);
}
