use leptos::prelude::*;

use super::{field_error, Field, Select};
use crate::domain::Distribution;
use crate::error::AppError;

/// A tool's supply chain as a form holds it (empty for a new one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplyChain {
    pub distribution: Option<Distribution>,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    pub vendor_trains_on_data: bool,
}

/// The supply-chain questions of the tool and request forms: how the tool is distributed, the
/// package, the pinned version and checksum, and whether the vendor trains on customer data.
/// `form` names the fields (`tool[package_name]`) and prefixes their ids.
#[component]
pub fn SupplyChainFields(
    form: &'static str,
    values: SupplyChain,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = move |field: &str| format!("{form}-{field}");
    let name = move |field: &str| format!("{form}[{field}]");
    let e = move |field: &'static str| field_error(error, field);
    let distribution = values.distribution.unwrap_or(Distribution::Saas).as_str();
    view! {
        <fieldset class="choices">
            <legend>"Supply chain"</legend>
            <Select
                id=id("distribution")
                name=name("distribution")
                label="Distribution"
                options=choices(Distribution::ALL, Distribution::as_str, Distribution::label)
                selected=distribution
                error=e("distribution")
            />
            <Field
                id=id("package")
                name=name("package_name")
                label="Package name (optional)"
                input_type="text"
                autocomplete="off"
                maxlength=214
                optional=true
                value=values.package_name
                error=e("package_name")
            />
            <Field
                id=id("version")
                name=name("pinned_version")
                label="Pinned version (optional)"
                input_type="text"
                autocomplete="off"
                maxlength=100
                optional=true
                value=values.pinned_version
                error=e("pinned_version")
            />
            <Field
                id=id("checksum")
                name=name("checksum")
                label="SHA-256 checksum (optional)"
                input_type="text"
                autocomplete="off"
                maxlength=64
                optional=true
                hint="64 hexadecimal characters."
                value=values.checksum
                error=e("checksum")
            />
            <label class="choice" for=id("trains")>
                <input
                    type="checkbox"
                    id=id("trains")
                    name=name("vendor_trains_on_data")
                    value="true"
                    checked=values.vendor_trains_on_data
                />
                "The vendor trains its models on customer data"
            </label>
        </fieldset>
    }
}

/// The options of a select for a closed set of named values: (stored name, label).
pub fn choices<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (name(*v).to_owned(), label(*v).to_owned()))
        .collect()
}
