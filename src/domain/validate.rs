//! Validation of request bodies, field by field. Each failure names the field (as a JSON path)
//! so an integrator can find it; the server writes nothing when any check fails.

use chrono::NaiveDate;

use super::ids;
use crate::api::*;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

pub fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

type Result<T = ()> = std::result::Result<T, FieldError>;

/// Non-blank text of at most `max` characters, trimmed.
pub fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(field_error(field, "不能为空 / must not be empty"));
    }
    if v.chars().count() > max {
        return Err(field_error(
            field,
            format!("不能超过 {max} 个字符 / at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(field_error(
            field,
            "含有控制字符 / contains control characters",
        ));
    }
    if v.chars().any(is_bidi_control) {
        return Err(field_error(
            field,
            "含有双向文本控制字符 / contains bidirectional override characters",
        ));
    }
    Ok(v.to_string())
}

/// Bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069):
/// they reorder what a terminal shows, so a name or a licence number could read as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A Chinese mobile (1[3-9]xxxxxxxxx) or landline (0xx[x]-xxxxxxx[x], hyphen optional) number.
pub fn phone(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let digits: String = v.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let ok_chars = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    let mobile = digits.len() == 11
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
    if ok_chars && (mobile || landline) {
        Ok(v.to_string())
    } else {
        Err(field_error(
            field,
            "不是有效的手机号或固定电话 / not a valid mobile or landline number",
        ))
    }
}

pub fn department_code(field: &str, code: &str) -> Result<String> {
    let ok = (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(code.to_string())
    } else {
        Err(field_error(
            field,
            "应为 2–32 位小写字母、数字、_ 或 - / must be 2–32 of a-z 0-9 _ -",
        ))
    }
}

pub fn username(field: &str, name: &str) -> Result<String> {
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        Ok(name.to_string())
    } else {
        Err(field_error(
            field,
            "应为 3–32 位字母、数字、_ - . / must be 3–32 of A-Z a-z 0-9 _ - .",
        ))
    }
}

/// Passwords: 8 characters or more (at most 256 bytes), mixing at least two kinds of letters,
/// digits and other characters — the complexity the MLPS baseline (GB/T 22239-2019) asks of
/// 身份鉴别信息, without rules that push people to write passwords down.
pub fn password(field: &str, pw: &str) -> Result<()> {
    let weak = "密码至少 8 个字符，且须包含字母、数字、符号中的至少两类 / at least 8 characters, mixing at least two of: letters, digits, symbols";
    if pw.chars().count() < 8 {
        return Err(field_error(field, weak));
    }
    if pw.len() > 256 {
        return Err(field_error(field, "密码过长 / at most 256 bytes"));
    }
    let letters = pw.chars().any(|c| c.is_ascii_alphabetic());
    let digits = pw.chars().any(|c| c.is_ascii_digit());
    let others = pw.chars().any(|c| !c.is_ascii_alphanumeric());
    if [letters, digits, others].iter().filter(|k| **k).count() < 2 {
        return Err(field_error(field, weak));
    }
    Ok(())
}

pub fn counterparty(prefix: &str, c: &Counterparty, today: NaiveDate) -> Result<Counterparty> {
    let f = |name: &str| format!("{prefix}.{name}");
    let name = text(&f("name"), &c.name, 200)?;
    let (credit_code, id_number) = match (&c.credit_code, &c.id_number) {
        (Some(_), Some(_)) => {
            return Err(field_error(
                f("credit_code"),
                "credit_code 与 id_number 只能填一个 / give one of credit_code or id_number, not both",
            ));
        }
        (None, None) => {
            return Err(field_error(
                f("credit_code"),
                "须填写统一社会信用代码或身份证号 / one of credit_code or id_number is required",
            ));
        }
        (Some(cc), None) => {
            let cc = ids::parse_credit_code(cc.trim()).map_err(|e| {
                field_error(
                    f("credit_code"),
                    format!("统一社会信用代码无效 / invalid credit code: {e}"),
                )
            })?;
            (Some(cc), None)
        }
        (None, Some(id)) => {
            let id = ids::parse_id_number(id.trim(), today).map_err(|e| {
                field_error(
                    f("id_number"),
                    format!("身份证号无效 / invalid ID number: {e}"),
                )
            })?;
            (None, Some(id))
        }
    };
    Ok(Counterparty {
        name,
        credit_code,
        id_number,
        contact_name: text(&f("contact_name"), &c.contact_name, 100)?,
        contact_phone: phone(&f("contact_phone"), &c.contact_phone)?,
    })
}

/// Validate and normalise an approval push (art. 7(1)2). `today` is the China date of receipt.
/// Recipient codes are checked for shape and duplicates here; their existence by the caller.
pub fn approval_push(p: &NewApprovalPush, today: NaiveDate) -> Result<NewApprovalPush> {
    let item_name = text("item_name", &p.item_name, 200)?;
    let counterparty = counterparty("counterparty", &p.counterparty, today)?;
    let license_no = text("license_no", &p.license_no, 100)?;
    if matches!(p.valid_until, ValidUntil::Date(d) if d < p.license_date) {
        return Err(field_error(
            "valid_until",
            "有效期不能早于许可日期 / must not be before license_date",
        ));
    }
    if p.license_date > today {
        return Err(field_error(
            "license_date",
            "许可日期不能晚于今天 / must not be in the future",
        ));
    }
    let comprehensive_license = match (p.mode, &p.comprehensive_license) {
        (PushMode::OneIndustryOneLicense, Some(c)) => Some(ComprehensiveLicense {
            license_no: text("comprehensive_license.license_no", &c.license_no, 100)?,
            face_info: text("comprehensive_license.face_info", &c.face_info, 4000)?,
        }),
        (PushMode::OneIndustryOneLicense, None) => {
            return Err(field_error(
                "comprehensive_license",
                "一业一证事项须推送综合许可证照面信息 / required for one_industry_one_license",
            ));
        }
        (_, Some(_)) => {
            return Err(field_error(
                "comprehensive_license",
                "仅一业一证事项可填写 / only for mode one_industry_one_license",
            ));
        }
        (_, None) => None,
    };
    let commitment_letter = match (p.mode, &p.commitment_letter) {
        (PushMode::NotifyCommit, Some(c)) => {
            if c.signed_on > today {
                return Err(field_error(
                    "commitment_letter.signed_on",
                    "签署日期不能晚于今天 / must not be in the future",
                ));
            }
            if c.compliance_date.is_some_and(|d| d < c.signed_on) {
                return Err(field_error(
                    "commitment_letter.compliance_date",
                    format!(
                        "承诺达标日期不能早于承诺书签署日期 {} / the committed compliance date must not be before the letter's signed_on {}",
                        c.signed_on, c.signed_on
                    ),
                ));
            }
            Some(CommitmentLetter {
                content: text("commitment_letter.content", &c.content, 20000)?,
                signed_on: c.signed_on,
                compliance_date: c.compliance_date,
            })
        }
        (PushMode::NotifyCommit, None) => {
            return Err(field_error(
                "commitment_letter",
                "告知承诺事项须推送告知承诺书 / required for notify_commit",
            ));
        }
        (_, Some(_)) => {
            return Err(field_error(
                "commitment_letter",
                "仅告知承诺事项可填写 / only for mode notify_commit",
            ));
        }
        (_, None) => None,
    };
    match (p.mode, p.catalogue_item_id) {
        (PushMode::NotifyCommit, None) => {
            return Err(field_error(
                "catalogue_item_id",
                "告知承诺事项须指明信用审批目录事项 / required for notify_commit: the credit-approval catalogue item",
            ));
        }
        (PushMode::NotifyCommit, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(field_error(
                "catalogue_item_id",
                "仅告知承诺事项可填写 / only for mode notify_commit",
            ));
        }
    }
    let recipients = recipients(&p.recipients)?;
    let admission = p
        .admission
        .as_ref()
        .map(|a| {
            Ok::<_, FieldError>(AdmissionAck {
                mode: a.mode,
                reason: text("admission.reason", &a.reason, 2000)?,
            })
        })
        .transpose()?;
    Ok(NewApprovalPush {
        item_name,
        counterparty,
        license_no,
        license_date: p.license_date,
        valid_until: p.valid_until,
        mode: p.mode,
        comprehensive_license,
        commitment_letter,
        catalogue_item_id: p.catalogue_item_id,
        recipients,
        important: p.important,
        admission,
    })
}

fn recipients(list: &[String]) -> Result<Vec<String>> {
    if list.is_empty() {
        return Err(field_error(
            "recipients",
            "至少一个接收部门 / at least one recipient department",
        ));
    }
    if list.len() > 64 {
        return Err(field_error(
            "recipients",
            "接收部门过多 / at most 64 recipients",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, code) in list.iter().enumerate() {
        let field = format!("recipients[{i}]");
        let code = department_code(&field, code.trim())?;
        if out.contains(&code) {
            return Err(field_error(field, "接收部门重复 / duplicate recipient"));
        }
        out.push(code);
    }
    Ok(out)
}

/// Validate and normalise a supervision push (art. 7(2)1–2).
pub fn supervision_push(p: &NewSupervisionPush, today: NaiveDate) -> Result<NewSupervisionPush> {
    let title = text("title", &p.title, 200)?;
    let body = text("body", &p.body, 20000)?;
    let counterparty = p
        .counterparty
        .as_ref()
        .map(|c| counterparty("counterparty", c, today))
        .transpose()?;
    let related_license_no = p
        .related_license_no
        .as_ref()
        .map(|l| text("related_license_no", l, 100))
        .transpose()?;
    let penalty = match (p.category, &p.penalty) {
        (SupervisionCategory::Penalty, Some(pen)) => {
            if pen.decision_date > today {
                return Err(field_error(
                    "penalty.decision_date",
                    "决定日期不能晚于今天 / must not be in the future",
                ));
            }
            Some(Penalty {
                kind: pen.kind,
                decision_no: text("penalty.decision_no", &pen.decision_no, 100)?,
                decision_date: pen.decision_date,
            })
        }
        (SupervisionCategory::Penalty, None) => {
            return Err(field_error(
                "penalty",
                "行政处罚信息须填写处罚决定 / required for category penalty",
            ));
        }
        (_, Some(_)) => {
            return Err(field_error(
                "penalty",
                "仅行政处罚类可填写 / only for category penalty",
            ));
        }
        (_, None) => None,
    };
    if p.commitment_breach.is_some() && related_license_no.is_none() {
        return Err(field_error(
            "related_license_no",
            "反馈违反承诺或虚假材料须指明许可证号 / required with commitment_breach: the licence concerned",
        ));
    }
    if p.category == SupervisionCategory::CreditStatus && counterparty.is_none() {
        return Err(field_error(
            "counterparty",
            "信用状态信息须指明行政相对人 / required for category credit_status",
        ));
    }
    let credit = match (p.category, &p.credit) {
        (SupervisionCategory::CreditStatus, Some(c)) => Some(credit(c)?),
        (SupervisionCategory::CreditStatus, None) => {
            return Err(field_error(
                "credit",
                "信用状态信息须填写列入/移出决定 / required for category credit_status",
            ));
        }
        (_, Some(_)) => {
            return Err(field_error(
                "credit",
                "仅信用状态类可填写 / only for category credit_status",
            ));
        }
        (_, None) => None,
    };
    Ok(NewSupervisionPush {
        category: p.category,
        title,
        body,
        counterparty,
        related_license_no,
        penalty,
        commitment_breach: p.commitment_breach,
        credit,
        important: p.important,
    })
}

/// The `credit` of a `credit_status` push: an end not before the start (a start in the
/// future is a listing not yet in force).
fn credit(c: &CreditInfo) -> Result<CreditInfo> {
    if c.end_date.is_some_and(|e| e < c.start_date) {
        return Err(field_error(
            "credit.end_date",
            "结束日期不能早于开始日期 / must not be before start_date",
        ));
    }
    if c.status == CreditStatus::Cleared && c.end_date.is_some() {
        return Err(field_error(
            "credit.end_date",
            "移出决定没有结束日期 / a cleared record has no end_date",
        ));
    }
    Ok(CreditInfo {
        status: c.status,
        authority: text("credit.authority", &c.authority, 200)?,
        decision_no: text("credit.decision_no", &c.decision_no, 100)?,
        start_date: c.start_date,
        end_date: c.end_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn push() -> NewApprovalPush {
        NewApprovalPush {
            item_name: "食品经营许可".into(),
            counterparty: Counterparty {
                name: "高青县示例餐饮有限公司".into(),
                credit_code: Some("91350100M000100Y43".into()),
                id_number: None,
                contact_name: "张三".into(),
                contact_phone: "13800138000".into(),
            },
            license_no: "JY13703220000001".into(),
            license_date: today(),
            valid_until: ValidUntil::Date(NaiveDate::from_ymd_opt(2031, 11, 25).unwrap()),
            mode: PushMode::Standard,
            comprehensive_license: None,
            commitment_letter: None,
            catalogue_item_id: None,
            recipients: vec!["market".into(), "health".into()],
            important: false,
            admission: None,
        }
    }

    fn err_field(p: NewApprovalPush) -> String {
        approval_push(&p, today()).unwrap_err().field
    }

    #[test]
    fn valid_push_passes_and_is_trimmed() {
        let mut p = push();
        p.item_name = "  食品经营许可 ".into();
        assert_eq!(
            approval_push(&p, today()).unwrap().item_name,
            "食品经营许可"
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut p = push();
        p.item_name = " ".into();
        assert_eq!(err_field(p), "item_name");
        let mut p = push();
        p.counterparty.credit_code = Some("91350100M000100Y44".into());
        assert_eq!(err_field(p), "counterparty.credit_code");
        let mut p = push();
        p.counterparty.id_number = Some("11010519491231002X".into());
        assert_eq!(err_field(p), "counterparty.credit_code");
        let mut p = push();
        p.counterparty.contact_phone = "12345".into();
        assert_eq!(err_field(p), "counterparty.contact_phone");
        let mut p = push();
        p.valid_until = ValidUntil::Date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        assert_eq!(err_field(p.clone()), "valid_until");
        p.valid_until = ValidUntil::Indefinite;
        assert!(approval_push(&p, today()).is_ok(), "长期: no expiry");
        let mut p = push();
        p.mode = PushMode::NotifyCommit;
        assert_eq!(err_field(p.clone()), "commitment_letter");
        p.commitment_letter = Some(CommitmentLetter {
            content: "承诺".into(),
            signed_on: today(),
            compliance_date: None,
        });
        assert_eq!(err_field(p.clone()), "catalogue_item_id");
        p.catalogue_item_id = Some(1);
        assert!(approval_push(&p, today()).is_ok());
        p.commitment_letter.as_mut().unwrap().compliance_date = today().pred_opt();
        assert_eq!(err_field(p.clone()), "commitment_letter.compliance_date");
        let mut p = push();
        p.catalogue_item_id = Some(1);
        assert_eq!(err_field(p), "catalogue_item_id");
        let mut p = push();
        p.mode = PushMode::OneIndustryOneLicense;
        assert_eq!(err_field(p), "comprehensive_license");
        let mut p = push();
        p.recipients = vec!["market".into(), "market".into()];
        assert_eq!(err_field(p), "recipients[1]");
        let mut p = push();
        p.recipients = vec![];
        assert_eq!(err_field(p), "recipients");
    }

    #[test]
    fn phones() {
        assert!(phone("p", "13800138000").is_ok());
        assert!(phone("p", "0533-6961234").is_ok());
        assert!(phone("p", "12800138000").is_err());
        assert!(phone("p", "1380013800a").is_err());
    }

    #[test]
    fn passwords_need_length_and_two_kinds_of_character() {
        for ok in [
            "demo1234",
            "correct-horse-9",
            "a-long-password",
            "密码是很长的一句话1",
        ] {
            assert!(password("password", ok).is_ok(), "{ok}");
        }
        for weak in ["short1", "12345678", "password", "abcdefghij", "--------"] {
            let e = password("password", weak).unwrap_err();
            assert_eq!(e.field, "password", "{weak}");
        }
        assert!(
            password("password", &"a1".repeat(129)).is_err(),
            "over 256 bytes"
        );
    }
}
