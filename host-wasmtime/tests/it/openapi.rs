//! The OpenAPI document is generated from the router: every route the router serves (read
//! from the router itself) is documented with every method it answers, each operation has an
//! `operationId`, path parameters match the route's, bodies and answers have real schemas,
//! and the committed copy (`host-wasmtime/openapi.json`) is the generated document.

use super::service::{send, state};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use rxgate_host::service::{self, api_routes};
use serde_json::Value;
use std::collections::BTreeSet;
use tower::ServiceExt;

fn doc() -> Value {
    serde_json::from_str(service::openapi_document()).unwrap()
}

/// The paths the router holds, from its own route table (axum's `Debug` of the router lists
/// `paths: {RouteId(n): "/path", …}`).
fn router_paths() -> BTreeSet<String> {
    let router: axum::Router<rxgate_host::service::AppState> = api_routes().into();
    let text = format!("{router:?}");
    // The path router comes before the fallback router (whose catch-all is no route).
    let routes = text.split("fallback_router").next().unwrap_or("");
    routes
        .split("RouteId(")
        .skip(1)
        .filter_map(|entry| {
            let (_, rest) = entry.split_once("): \"")?;
            Some(rest.split('"').next()?.to_owned())
        })
        .collect()
}

#[test]
fn the_document_generates_without_errors() {
    let _ = service::openapi_document();
    let errors = service::OPENAPI_ERRORS.lock().unwrap().clone();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[tokio::test]
async fn every_route_of_the_router_is_documented_with_each_method_it_answers() {
    let doc = doc();
    let paths = router_paths();
    assert!(paths.len() >= 25, "{paths:?}");
    let (state, _) = state();
    for path in &paths {
        let item = &doc["paths"][path];
        assert!(item.is_object(), "{path} is not in the document");
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in [
            Method::GET,
            Method::PUT,
            Method::POST,
            Method::DELETE,
            Method::PATCH,
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(&concrete)
                .body(Body::empty())
                .unwrap();
            let response = rxgate_host::service::router(state.clone())
                .oneshot(req)
                .await
                .unwrap();
            let status = response.status();
            let documented = item[method.as_str().to_lowercase()].is_object();
            let routed = status != StatusCode::METHOD_NOT_ALLOWED;
            assert_eq!(routed, documented, "{method} {path}: {status}");
            if status == StatusCode::UNAUTHORIZED {
                assert!(
                    response.headers().contains_key("www-authenticate"),
                    "{method} {path}: 401 without WWW-Authenticate"
                );
            }
        }
    }
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(documented, paths);
}

#[test]
fn operations_have_ids_matching_path_parameters_and_typed_bodies() {
    let doc = doc();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let names: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}"));
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            let params: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(params, names, "{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            let success = responses
                .iter()
                .find(|(code, _)| code.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path}: no 2xx"));
            if path != "/metrics" {
                // JSON, another media type with the schema of its items (JSON Lines), or a
                // document (`application/pdf`, a binary string).
                let content = &success.1["content"];
                let typed = content
                    .as_object()
                    .and_then(|c| c.get("application/json").or_else(|| c.values().next()))
                    .is_some_and(|m| m["schema"].is_object());
                assert!(typed, "{method} {path}: untyped answer {}", success.1);
            }
            if operation["security"].is_array() {
                assert!(
                    responses.contains_key("4XX"),
                    "{method} {path}: no problem answer"
                );
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "OrderSnapshot",
        "Panel",
        "ProblemDoc",
        "ViolationDoc",
        "SubmitAnswer",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    // Every staff POST that queues work takes an Idempotency-Key (a cancel, a flag settle and
    // a name-update settle queue no partner call: their repeat is refused, 409 for a name
    // update already settled).
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        if !path.starts_with("/api/emr/orders/")
            || path.ends_with("/cancel")
            || path.ends_with("/flags/settle")
            || path.contains("/name-updates/")
        {
            continue;
        }
        let named = post["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
        assert!(named, "POST {path} takes no Idempotency-Key");
    }
    let put = &doc["paths"]["/api/emr/orders/{id}"]["put"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert_eq!(put["$ref"], "#/components/schemas/OrderSnapshot", "{put}");
}

#[tokio::test]
async fn the_served_and_committed_documents_are_the_generated_one() {
    let (state, _) = state();
    let (status, body, _) = send(
        &state,
        Request::get("/openapi.json").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, service::openapi_document());
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("RXGATE_BLESS").is_some() {
        std::fs::write(committed, service::openapi_document()).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(committed).unwrap(),
        service::openapi_document(),
        "regenerate with RXGATE_BLESS=1 cargo test -p rxgate-host --test it openapi"
    );
}
