//! The floor of `make bench`'s cold starts: a lambda_runtime function that answers 200 and does nothing.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async { Ok::<_, Error>(json!({"statusCode": 200})) })).await
}
