//! The module builder's language-model step on Amazon Bedrock: one Converse call per build, with the
//! question and the reading of the answer in [`nudge_learning::builder::structure`] (pure, unit-tested);
//! this adapter only carries them. Converse takes the same request for every model family, so
//! `MODULE_BUILDER_MODEL` may name any text model (or inference profile) the account has access to.

use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::error::DisplayErrorContext;
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, InferenceConfiguration, Message};
use nudge_learning::builder::model::Outline;
use nudge_learning::builder::structure::{self, StructureError, Structured, Structurer};
use std::time::Duration;

/// How long one answer may take: the build (in a 60 s invocation) keeps the document's structure after.
const TIMEOUT: Duration = Duration::from_secs(25);

pub struct Bedrock {
    client: aws_sdk_bedrockruntime::Client,
    model: String,
}

impl Bedrock {
    pub fn new(sdk: &nudge_core::config::SdkConfig, model: String) -> Self {
        let config = aws_sdk_bedrockruntime::config::Builder::from(sdk)
            .timeout_config(TimeoutConfig::builder().operation_timeout(TIMEOUT).build())
            .build();
        Self { client: aws_sdk_bedrockruntime::Client::from_conf(config), model }
    }
}

impl Structurer for Bedrock {
    fn name(&self) -> &str {
        &self.model
    }

    fn structure<'a>(&'a self, outline: &'a Outline) -> Structured<'a> {
        Box::pin(async move {
            let question = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text(structure::prompt(outline)))
                .build()
                .map_err(|e| StructureError::Failed(e.to_string()))?;
            let answer = self
                .client
                .converse()
                .model_id(&self.model)
                .messages(question)
                .inference_config(InferenceConfiguration::builder().max_tokens(4096).temperature(0.0).build())
                .send()
                .await
                .map_err(|e| StructureError::Failed(DisplayErrorContext(&e).to_string()))?;
            let text: String = answer
                .output()
                .and_then(|o| o.as_message().ok())
                .map(|m| m.content().iter().filter_map(|c| c.as_text().ok().map(String::as_str)).collect())
                .unwrap_or_default();
            structure::apply(outline, &text)
        })
    }
}
