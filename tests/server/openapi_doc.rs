//! The OpenAPI document describes the server (issue 8, point 1): every operation lists the
//! statuses the shared layers can answer, and the `Push` schema accepts a real push. The
//! full check is `.ci/contract` (schemathesis against a running server); these pin the shape.

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::common::*;

both_backends!(
    every_operation_lists_the_shared_error_statuses,
    the_push_schema_accepts_a_real_push
);

async fn every_operation_lists_the_shared_error_statuses(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let (_, doc) = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let listed = |status: &str| op["responses"].get(status).is_some();
            let what = format!("{method} {path}");
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                assert!(listed("401"), "{what}: 401 not listed");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(listed(status), "{what}: {status} not listed");
                }
            }
            if path.contains("{id}") {
                assert!(listed("404"), "{what}: 404 not listed");
            }
            if path != "/api/v1/events" {
                assert!(listed("408"), "{what}: 408 not listed");
            }
            for (status, r) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{what} {status}");
                }
            }
        }
    }
    for (path, status) in [
        ("/api/v1/sessions", "429"),
        ("/api/v1/me/password", "429"),
        ("/api/v1/api-keys/{id}", "403"),
    ] {
        let op = doc["paths"][path]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert!(op["responses"].get(status).is_some(), "{path}: {status}");
    }
    // Enforced constraints are in the schema.
    let limit = doc["paths"]["/api/v1/deliveries"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(
        (
            limit["schema"]["minimum"].as_i64(),
            limit["schema"]["maximum"].as_i64()
        ),
        (Some(1), Some(500))
    );
    let year = &doc["components"]["schemas"]["CalendarYear"]["properties"]["year"];
    assert_eq!(
        (year["minimum"].as_i64(), year["maximum"].as_i64()),
        (Some(1900), Some(2200))
    );
    // The event stream's data, the `reset` event's included, is described.
    let reset = &doc["components"]["schemas"]["StreamReset"];
    assert_eq!(reset["required"][0], "newest", "{reset}");
    let stream = &doc["paths"]["/api/v1/events"]["get"]["responses"]["200"];
    assert!(
        stream["content"].get("text/event-stream").is_some(),
        "{stream}"
    );
    assert!(
        stream["description"]
            .as_str()
            .unwrap()
            .contains("event: reset"),
        "{stream}"
    );
    let body = &doc["components"]["schemas"]["NewMessage"]["properties"]["body"];
    assert_eq!(body["minLength"], 1, "{body}");
    app.finish().await;
}

/// Collects the objects of `schema` (through `$ref`, `allOf`, `oneOf`, `anyOf`) that refuse
/// extra properties: such a branch beside the record's fields refuses every push, as the
/// old `Push` schema did.
fn closed_objects(schema: &Value, doc: &Value, out: &mut Vec<String>) {
    let Value::Object(o) = schema else {
        return;
    };
    if let Some(Value::String(r)) = o.get("$ref") {
        let name = r.trim_start_matches("#/components/schemas/");
        return closed_objects(&doc["components"]["schemas"][name], doc, out);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(items)) = o.get(key) {
            for item in items {
                closed_objects(item, doc, out);
            }
        }
    }
    if o.get("additionalProperties") == Some(&Value::Bool(false)) {
        out.push(schema.to_string());
    }
}

async fn the_push_schema_accepts_a_real_push(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let (_, doc) = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let push = &doc["components"]["schemas"]["Push"];
    let mut closed = Vec::new();
    closed_objects(push, &doc, &mut closed);
    assert!(
        closed.is_empty(),
        "a Push branch refuses extra fields: {closed:?}"
    );
    // Each branch pins `kind`, and a real push carries every property some branch requires.
    // Approval, supervision, a revocation decision and a licence-action letter's decision
    // (both kind `approval`, made by the server), and a licence-action letter delivered to
    // the bureau (kind `supervision`, made by the server).
    let branches = push["oneOf"].as_array().expect("Push is oneOf");
    assert_eq!(branches.len(), 5);
    let pushed = app.push(&["market"]).await;
    let (_, real) = app
        .request(
            Method::GET,
            &format!("/api/v1/pushes/{}", pushed.id),
            app.approval.token(),
            None,
        )
        .await;
    let required: Vec<String> = branches[0]["allOf"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|part| part["required"].as_array().cloned().unwrap_or_default())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        required.contains(&"deliveries".to_string()) && required.contains(&"item_name".to_string()),
        "{required:?}"
    );
    for field in &required {
        assert!(
            real.get(field).is_some(),
            "a real push lacks {field}: {real}"
        );
    }
    app.finish().await;
}
