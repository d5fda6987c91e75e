//! The Markdown export reads as a draft of the bulletin a county office circulates: a title,
//! the status (version and issue date, or the draft mark — at the top and at the end, so that
//! any printed page range carries it), a lead paragraph with the key figures, the ranking, the
//! tables, and the audit chain head that binds it to the record.

use super::text::{self, Table};
use crate::api::Bulletin;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        out.push_str("（无 / none）\n\n");
        return;
    }
    out.push_str(&format!(
        "| {} |\n",
        t.headers
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|{}\n", "---|".repeat(t.headers.len())));
    for r in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter()
                .map(|c| cell(&c.text()))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out.push('\n');
}

pub fn markdown(b: &Bulletin) -> String {
    let mut out = String::new();
    let draft = b.issued.is_none();
    let mark = |out: &mut String| {
        if draft {
            out.push_str(&format!("> **{}** — {}\n\n", text::DRAFT, text::status(b)));
        } else {
            out.push_str(&format!("> {}\n\n", text::status(b)));
        }
    };
    out.push_str(&format!(
        "# {}{}\n\n",
        text::month_zh(&b.month),
        text::TITLE
    ));
    mark(&mut out);
    out.push_str("## 一、总体情况\n\n");
    out.push_str(&text::lead(b));
    out.push_str("\n\n");
    out.push_str("## 二、排名\n\n");
    out.push_str(
        "按各部门本月已到期的全部期限（认领、疑问与争议答复及其他期限）的按时率由高到低排列；\
         按时率相同的，已到期件数多者在前。\n\n",
    );
    table(&mut out, &text::ranking(b));
    let sections = [
        ("## 三、各部门认领与答复情况", text::departments(b)),
        ("## 四、其他期限", text::other_deadlines(b)),
        ("## 五、许可与信用", text::licences_and_credit(b)),
        ("## 六、上传情况", text::uploads(b)),
        ("## 七、迟报清单", text::late_uploads(b)),
        ("## 八、问责记录", text::ledger(b)),
    ];
    for (title, t) in sections {
        out.push_str(title);
        out.push_str("\n\n");
        table(&mut out, &t);
    }
    out.push_str(&format!(
        "审计链头 / audit chain head: {}\n\n",
        text::chain_head(b)
    ));
    mark(&mut out);
    out
}
