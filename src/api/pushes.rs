use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Delivery;

/// How the licence was issued (art. 7(1)2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PushMode {
    Standard,
    /// 一业一证 / 一证化: the comprehensive licence face info is pushed too.
    OneIndustryOneLicense,
    /// 告知承诺制: the commitment letter is pushed too.
    NotifyCommit,
}

/// The holder of the licence (行政相对人).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Counterparty {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// 统一社会信用代码 (GB 32100-2015), for organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\s*[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}\\s*$")]
    pub credit_code: Option<String>,
    /// 公民身份号码 (GB 11643-1999), for natural persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\s*[0-9]{17}[0-9Xx]\\s*$")]
    pub id_number: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub contact_name: String,
    pub contact_phone: String,
}

/// 行业综合许可证 / 行政审批综合许可证 face information (一业一证 items).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ComprehensiveLicense {
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub license_no: String,
    /// The text printed on the licence face (照面信息).
    #[schema(min_length = 1, max_length = 4000, pattern = "\\S")]
    pub face_info: String,
}

/// 告知承诺书 (notify-and-commit items).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CommitmentLetter {
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub content: String,
    #[serde(deserialize_with = "super::strict_date")]
    pub signed_on: NaiveDate,
    /// The date by which the applicant commits to meet the conditions (承诺达到审批条件之日):
    /// required for a `post_verification` catalogue item, refused for an `exempt` one; not
    /// before `signed_on`. The verification is due 10 working days after it (art. 8).
    #[serde(
        default,
        deserialize_with = "super::catalogue::optional_strict_date",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub compliance_date: Option<NaiveDate>,
}

/// A licence's validity (有效期至): a last date, or `"长期"` — no expiry, as printed on
/// licences issued for an unlimited term. On the wire a string either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidUntil {
    Date(NaiveDate),
    /// 长期: no expiry.
    Indefinite,
}

impl ValidUntil {
    /// The wire spelling of [`ValidUntil::Indefinite`].
    pub const INDEFINITE: &'static str = "长期";
}

impl std::fmt::Display for ValidUntil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Date(d) => write!(f, "{d}"),
            Self::Indefinite => f.write_str(Self::INDEFINITE),
        }
    }
}

impl std::str::FromStr for ValidUntil {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == Self::INDEFINITE {
            return Ok(Self::Indefinite);
        }
        super::parse_strict_date(s).map(Self::Date).ok_or_else(|| {
            format!("应为 YYYY-MM-DD 日期（1900–2199 年）或 \"长期\" / expected a YYYY-MM-DD date in 1900–2199 or \"长期\", got {s:?}")
        })
    }
}

impl Serialize for ValidUntil {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ValidUntil {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for ValidUntil {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([Self::INDEFINITE])),
            )
            .description(Some(
                "有效期至: a date (YYYY-MM-DD, not before license_date), or \"长期\" for no expiry",
            ))
            .into()
    }
}

impl ToSchema for ValidUntil {}

/// `POST /api/v1/approval-pushes` (art. 7(1)).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewApprovalPush {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub item_name: String,
    pub counterparty: Counterparty,
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub license_no: String,
    #[serde(deserialize_with = "super::strict_date")]
    pub license_date: NaiveDate,
    /// `YYYY-MM-DD`, or `"长期"` for a licence without expiry.
    pub valid_until: ValidUntil,
    pub mode: PushMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comprehensive_license: Option<ComprehensiveLicense>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_letter: Option<CommitmentLetter>,
    /// The credit-approval catalogue item (`/api/v1/credit-catalogue`): required for mode
    /// `notify_commit`, refused otherwise. Its current version is recorded with the push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_item_id: Option<i64>,
    /// Supervision department codes.
    #[schema(min_items = 1, max_items = 64)]
    pub recipients: Vec<String>,
    #[serde(default)]
    pub important: bool,
    /// Required, matching the holder's standing, when the holder is under restricted or
    /// strict admission (`GET /api/v1/counterparties/{code}/admission`); refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<super::AdmissionAck>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionCategory {
    /// 责令停产停业、吊销许可证件或可能影响审批决定的行政处罚
    Penalty,
    /// 业务培训
    Training,
    /// 法律法规、政策标准、技术标准、管理规范调整
    RegulationChange,
    /// 经营异常 / 失信名单
    CreditStatus,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    SuspendOperation,
    RevokeLicense,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Penalty {
    pub kind: PenaltyKind,
    /// 处罚决定书文号
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub decision_no: String,
    #[serde(deserialize_with = "super::strict_date")]
    pub decision_date: NaiveDate,
}

/// `POST /api/v1/supervision-pushes` (art. 7(2)1–2). Delivered to the approval bureau.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewSupervisionPush {
    pub category: SupervisionCategory,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<Counterparty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub related_license_no: Option<String>,
    /// Required when `category` is `penalty`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Penalty>,
    /// The holder broke its commitment or obtained the licence with false materials (art. 8
    /// para 4): needs `related_license_no` naming a licence with a verification task, and
    /// revokes the approval (`/api/v1/verifications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_breach: Option<super::CommitmentBreach>,
    /// Required when `category` is `credit_status` (with the `counterparty`), refused
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<super::CreditInfo>,
    #[serde(default)]
    pub important: bool,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PushKind {
    Approval,
    Supervision,
}

super::wire_names!(PushKind, "push kind");

/// The content of a push, as submitted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum PushContent {
    Approval(NewApprovalPush),
    Supervision(NewSupervisionPush),
    /// A revocation decision (kind `approval`): made by the server, never submitted.
    Revocation(super::RevocationDecision),
    /// The bureau's decision on a licence-action letter (kind `approval`): made by the server,
    /// never submitted.
    LicenseAction(super::LicenseActionNotice),
    /// A licence-action letter delivered to the bureau (kind `supervision`): made by the
    /// server, never submitted.
    LicenseActionRequest(super::LicenseActionRequestNotice),
}

/// A push as stored, with one delivery per recipient department.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Push {
    pub id: i64,
    pub kind: PushKind,
    /// The pushing department's code.
    pub source_department: String,
    pub created_at: DateTime<FixedOffset>,
    /// Username, or `api-key:NAME` for a business system; to the recipients (another
    /// department) the pushing department's name.
    pub created_by: String,
    /// Every field as submitted.
    #[serde(flatten)]
    pub content: PushContent,
    pub deliveries: Vec<Delivery>,
    /// A notify-and-commit push: the version of its catalogue item in force when it was
    /// pushed (art. 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_version: Option<i32>,
}

/// The fields every stored push has besides its content (the schema of [`Push`] only).
#[derive(ToSchema)]
#[allow(dead_code)]
struct PushRecord {
    id: i64,
    kind: PushKind,
    /// The pushing department's code.
    source_department: String,
    created_at: DateTime<FixedOffset>,
    /// Username, or `api-key:NAME` for a business system; to the recipients (another
    /// department) the pushing department's name.
    created_by: String,
    deliveries: Vec<Delivery>,
    /// A notify-and-commit push: the version of its catalogue item in force when it was
    /// pushed (art. 8).
    catalogue_version: Option<i32>,
}

/// [`Push`] on the wire: the record's fields and, flattened beside them, the content as
/// submitted — an approval push's fields when `kind` is `approval`, a supervision push's when
/// it is `supervision`. Each branch is the record plus that content, with the request
/// schema's `additionalProperties: false` dropped (the record's fields sit beside the
/// content), and `kind` pinned so exactly one branch matches.
impl utoipa::PartialSchema for Push {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
        fn open(schema: RefOr<Schema>) -> RefOr<Schema> {
            match schema {
                RefOr::T(Schema::Object(mut o)) => {
                    o.additional_properties = None;
                    RefOr::T(Schema::Object(o))
                }
                other => other,
            }
        }
        let branch = |kind: PushKind, content: RefOr<Schema>| {
            AllOfBuilder::new()
                .item(open(<PushRecord as utoipa::PartialSchema>::schema()))
                .item(
                    ObjectBuilder::new()
                        .property(
                            "kind",
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some([kind.as_str()])),
                        )
                        .required("kind"),
                )
                .item(open(content))
        };
        OneOfBuilder::new()
            .item(branch(
                PushKind::Approval,
                <NewApprovalPush as utoipa::PartialSchema>::schema(),
            ))
            .item(branch(
                PushKind::Supervision,
                <NewSupervisionPush as utoipa::PartialSchema>::schema(),
            ))
            .item(branch(
                PushKind::Approval,
                <super::RevocationDecision as utoipa::PartialSchema>::schema(),
            ))
            .item(branch(
                PushKind::Approval,
                <super::LicenseActionNotice as utoipa::PartialSchema>::schema(),
            ))
            .item(branch(
                PushKind::Supervision,
                <super::LicenseActionRequestNotice as utoipa::PartialSchema>::schema(),
            ))
            .description(Some(
                "A push as stored, with one delivery per recipient department: the record's fields and the content as submitted",
            ))
            .into()
    }
}

impl ToSchema for Push {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <PushRecord as ToSchema>::schemas(schemas);
        <NewApprovalPush as ToSchema>::schemas(schemas);
        <NewSupervisionPush as ToSchema>::schemas(schemas);
        <super::RevocationDecision as ToSchema>::schemas(schemas);
        <super::LicenseActionNotice as ToSchema>::schemas(schemas);
        <super::LicenseActionRequestNotice as ToSchema>::schemas(schemas);
    }
}
