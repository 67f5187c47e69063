//! Review notes from markdown to HTML that is safe to publish. The notes are written by people
//! on both sides of the contract, so raw HTML in them is shown as text, never passed through,
//! and the result is cleaned by ammonia, which drops scripts, event-handler attributes and
//! `javascript:` links whatever produced them.

use pulldown_cmark::{Event, Options, Parser, html};

pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML becomes text, so `<script>` shows as written and does nothing.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut rendered = String::new();
    html::push_html(&mut rendered, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_with_tables_and_footnotes() {
        let html = to_html(
            "# Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee[^1].\n\n[^1]: The source.\n",
        );
        assert!(html.contains("<table>") && html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("<sup>") && html.contains("The source."), "{html}");
    }

    #[test]
    fn raw_html_and_scripts_never_pass_through() {
        let html = to_html(
            "Hello <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div onclick=\"x()\">hi</div>\n",
        );
        assert!(
            !html.contains("<script") && !html.contains("<img") && !html.contains("<div"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
    }

    #[test]
    fn javascript_links_are_dropped() {
        let html = to_html("[click](javascript:alert(1)) and [ok](https://example.com/)\n");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.com/\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
    }
}
