//! Review notes from markdown to HTML that is safe to publish. The notes are written by people
//! on both sides of the contract, so raw HTML in them is shown as text, never passed through,
//! and the result is cleaned by ammonia, which drops scripts, event-handler attributes and
//! `javascript:` links whatever produced them. Images become their description: a page must
//! load nothing from elsewhere, and a remote image would tell its server who read the page.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

pub fn to_html(markdown: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, OPTIONS).collect();
    // The notes sit under the page's own headings: their first level becomes the fourth.
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let below = |level: HeadingLevel| {
        let shifted = (level as usize + 4).saturating_sub(top).min(6);
        HeadingLevel::try_from(shifted).unwrap_or(HeadingLevel::H6)
    };
    let events = events.into_iter().flat_map(|event| match event {
        // Raw HTML becomes text, so `<script>` shows as written and does nothing.
        Event::Html(raw) | Event::InlineHtml(raw) => vec![Event::Text(raw)],
        // The text between an image's start and end is its description, kept as text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => vec![Event::Text("".into())],
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            vec![Event::Start(Tag::Heading { level: below(level), id, classes, attrs })]
        }
        Event::End(TagEnd::Heading(level)) => vec![Event::End(TagEnd::Heading(below(level)))],
        // A footnote's mark stays a superscript, matching the label of its note below, but
        // not a link: the cleaner drops the notes' ids (several reviews share one page, and
        // ids from notes could clash with the page's own).
        Event::FootnoteReference(label) => vec![
            Event::Start(Tag::Superscript),
            Event::Text(label),
            Event::End(TagEnd::Superscript),
        ],
        // A task's box would be a form control, which the cleaner removes; a character keeps
        // whether it was done.
        Event::TaskListMarker(done) => vec![Event::Text(if done { "☑ " } else { "☐ " }.into())],
        other => vec![other],
    });
    let mut rendered = String::new();
    html::push_html(&mut rendered, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"])
        .clean(&rendered)
        .to_string()
}

/// The text a reader of the notes sees, entities decoded and marks gone, with a line break
/// where a line or block ends: `Glo**bex**` is `Globex`, and raw HTML is text as on the page.
pub fn to_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, OPTIONS) {
        match event {
            Event::Text(part)
            | Event::Code(part)
            | Event::Html(part)
            | Event::InlineHtml(part)
            | Event::InlineMath(part)
            | Event::DisplayMath(part) => text.push_str(&part),
            // Emphasis ends within a word; every other end closes a block or a cell.
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {}
            Event::SoftBreak | Event::HardBreak | Event::Rule | Event::End(_) => text.push('\n'),
            _ => {}
        }
    }
    text
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
        assert!(!html.contains("href=\"#1\""), "no link to an anchor that is not kept: {html}");
    }

    #[test]
    fn tasks_keep_whether_they_were_done() {
        let html = to_html(
            "- [x] Publish the matrix
- [ ] Hire two agents
",
        );
        assert!(html.contains("☑ Publish the matrix"), "{html}");
        assert!(html.contains("☐ Hire two agents"), "{html}");
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
    fn images_become_their_description_and_headings_sit_below_the_page() {
        let html = to_html(
            "# Minutes\n\n![the tracker](https://tracker.example/p.png?u=1) ![x](//t.example/p.gif)\n",
        );
        assert!(!html.contains("<img") && !html.contains("tracker.example"), "{html}");
        assert!(!html.contains("t.example"), "{html}");
        assert!(html.contains("the tracker"), "{html}");
        assert!(html.contains("<h4>Minutes</h4>"), "{html}");
        let second = to_html("## Review 4\n\n### Actions\n");
        assert!(
            second.contains("<h4>Review 4</h4>") && second.contains("<h5>Actions</h5>"),
            "{second}"
        );
    }

    #[test]
    fn javascript_links_are_dropped() {
        let html = to_html("[click](javascript:alert(1)) and [ok](https://example.com/)\n");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.com/\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
    }
}
