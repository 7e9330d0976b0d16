//! Which requests the proxy edits, and which upstream each request goes to.

use axum::http::{HeaderMap, Method};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Anthropic `POST /v1/messages`.
    Messages,
    /// Anthropic `POST /v1/messages/count_tokens`.
    CountTokens,
    /// OpenAI `POST /v1/chat/completions`.
    ChatCompletions,
    /// OpenAI `POST /v1/responses`.
    Responses,
    /// Anything else: passed through untouched.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    Anthropic,
    Openai,
}

impl Route {
    /// Routes match on the path alone, so `/v1/messages?beta=true` is
    /// `Messages` too.
    pub fn classify(method: &Method, path: &str) -> Self {
        if method != Method::POST {
            return Route::Other;
        }
        match path.strip_suffix('/').unwrap_or(path) {
            "/v1/messages" => Route::Messages,
            "/v1/messages/count_tokens" => Route::CountTokens,
            "/v1/chat/completions" => Route::ChatCompletions,
            "/v1/responses" => Route::Responses,
            _ => Route::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Route::Messages => "anthropic_messages",
            Route::CountTokens => "anthropic_count_tokens",
            Route::ChatCompletions => "openai_chat_completions",
            Route::Responses => "openai_responses",
            Route::Other => "passthrough",
        }
    }

    pub fn compressible(self) -> bool {
        self != Route::Other
    }
}

impl Upstream {
    /// Anthropic paths and requests carrying Anthropic's headers go to
    /// Anthropic; everything else to OpenAI.
    pub fn for_request(path: &str, headers: &HeaderMap) -> Self {
        if path.starts_with("/v1/messages")
            || path.starts_with("/v1/complete")
            || headers.contains_key("anthropic-version")
            || headers.contains_key("x-api-key")
        {
            Upstream::Anthropic
        } else {
            Upstream::Openai
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_with_query_strings_and_only_for_post() {
        assert_eq!(
            Route::classify(&Method::POST, "/v1/messages"),
            Route::Messages
        );
        assert_eq!(
            Route::classify(&Method::POST, "/v1/messages/count_tokens"),
            Route::CountTokens
        );
        assert_eq!(Route::classify(&Method::GET, "/v1/messages"), Route::Other);
        assert_eq!(Route::classify(&Method::POST, "/v1/models"), Route::Other);
        assert_eq!(
            Route::classify(&Method::POST, "/v1/chat/completions"),
            Route::ChatCompletions
        );
    }

    #[test]
    fn other_paths_go_to_the_provider_their_headers_name() {
        let mut h = HeaderMap::new();
        assert_eq!(Upstream::for_request("/v1/models", &h), Upstream::Openai);
        h.insert("anthropic-version", "2023-06-01".parse().unwrap());
        assert_eq!(Upstream::for_request("/v1/models", &h), Upstream::Anthropic);
        assert_eq!(
            Upstream::for_request("/v1/messages/batches", &HeaderMap::new()),
            Upstream::Anthropic
        );
    }
}
