//! Pure types and rules: no I/O, compiled for the browser and the server alike.

/// The conversions every validated string type shares: `as_str`, `Display`, and serde through
/// `String` (deserializing runs `parse`, so invalid values never get in).
macro_rules! validated_string {
    ($type:ident) => {
        impl $type {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $type {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Stored as text: reading a row runs `parse`, so a stored value that breaks the rules
        // is a decode error (logged, answered as `Internal`), never a half-valid value.
        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Postgres> for $type {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $type {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Self::parse(text)
                    .map_err(|message| format!("{}: {message}", stringify!($type)).into())
            }
        }
    };
}

/// Declares a closed set of values with stable snake_case names (forms, JSON, the database).
macro_rules! named_values {
    ($(#[$doc:meta])* $type:ident, $what:literal { $($variant:ident => $name:literal, $label:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $type {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl $type {
            pub const ALL: &'static [$type] = &[$(Self::$variant,)*];

            pub fn parse(input: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == input)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!("must be one of {}", names.join(", "))
                    })
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// How people read it.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }
        }

        // Written out: the derive cannot see serde renames made inside a macro.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($what))
                    .enum_values(Some(Self::ALL.iter().map(|value| value.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $type {}

        // Stored as text under the same names: rows decode straight into the type, and a name
        // the code does not know is a decode error (logged, answered as `Internal`).
        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Postgres> for $type {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $type {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Self::parse(name).map_err(|message| {
                    format!("{} {name:?}: {message}", stringify!($type)).into()
                })
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Encode<'_, sqlx::Postgres> for $type {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

    };
}

pub mod access;
mod audit;
pub mod canonical;
mod changes;
pub mod checklist;
pub mod checkpoint;
mod day;
pub(crate) mod form;
pub mod identity;
pub mod incidents;
pub mod jobs;
pub mod notices;
mod query;
pub mod registry;
pub mod requests;
pub mod scan;
mod slug;
mod team_filter;
pub mod webhooks;
pub mod when;

pub use access::{enrollment_owed, permits, Permission};
pub use audit::{Actor, AuditAction, AuditRecord};
pub use changes::{field_changes, FieldChange};
pub use day::Day;
pub use identity::{
    DisplayName, Email, Membership, Password, RecoveryCode, ReturnTo, Role, TokenScope, TotpCode,
};
pub use query::query_value;
pub use registry::{
    ClassificationLevel, DataClassForm, Distribution, RequirementSetting, Sha256Checksum,
    ToolCategory, ToolForm, ToolStatus, ValidDataClass, ValidTool, ACCESS_REQUIREMENTS,
};
pub use requests::RequestForm;
pub use slug::Slug;
pub use team_filter::matches_filter;
