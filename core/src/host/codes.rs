//! Codes the service uses itself (area `host`). A configuration gap of one pharmacy is
//! reported as `<code>:<pharmacy id>` in `/readyz`'s `config_warnings`.

crate::define_codes! {
    area = "host";
    /// The photo ID upload has no `images` array.
    IMAGES_MISSING = "images_missing" {
        beluga_error: None,
        meaning: "a photo ID upload has no `images` array",
        template: "`images` must be an array of images, each with `mime` and `data`",
    },
    /// No Beluga webhook secret is configured.
    BELUGA_WEBHOOK_SECRET_MISSING = "beluga_webhook_secret_missing" {
        beluga_error: None,
        meaning: "no Beluga webhook secret is configured: every Beluga webhook is refused",
        template: "set RXGATE_BELUGA_WEBHOOK_SECRET; until then Beluga webhooks are refused",
    },
    /// The Beluga base URL is refused in this environment.
    BELUGA_BASE_URL_REFUSED = "beluga_base_url_refused" {
        beluga_error: None,
        meaning: "the Beluga base URL is not https (or a loopback sandbox outside production): no call is sent",
        template: "the Beluga base URL must be https (a loopback sandbox URL only outside production)",
    },
    /// A DispensePro pharmacy has no webhook secret.
    DISPENSEPRO_WEBHOOK_SECRET_MISSING = "dispensepro_webhook_secret_missing" {
        beluga_error: None,
        meaning: "a DispensePro pharmacy has no webhook secret: its webhooks are refused",
        template: "a DispensePro pharmacy has no webhook secret; its webhooks are refused",
    },
    /// A DispensePro base URL is refused in this environment.
    DISPENSEPRO_BASE_URL_REFUSED = "dispensepro_base_url_refused" {
        beluga_error: None,
        meaning: "a DispensePro base URL is not https (or a loopback sandbox outside production): its orders are not sent",
        template: "a DispensePro base URL must be https (a loopback sandbox URL only outside production)",
    },
    /// A LifeFile pharmacy has no webhook password.
    LIFEFILE_WEBHOOK_PASSWORD_MISSING = "lifefile_webhook_password_missing" {
        beluga_error: None,
        meaning: "a LifeFile pharmacy has no webhook password: its webhooks are refused",
        template: "a LifeFile pharmacy has no webhook password; its webhooks are refused",
    },
    /// A LifeFile base URL is refused in this environment.
    LIFEFILE_BASE_URL_REFUSED = "lifefile_base_url_refused" {
        beluga_error: None,
        meaning: "a LifeFile base URL is not https (or a loopback sandbox outside production): its orders are not sent",
        template: "a LifeFile base URL must be https (a loopback sandbox URL only outside production)",
    },
    /// An OWN pharmacy has no webhook secret and may not go unsigned.
    PHARMACY_WEBHOOK_SECRET_MISSING = "pharmacy_webhook_secret_missing" {
        beluga_error: None,
        meaning: "an OWN pharmacy has no webhook secret and unsigned requests are not allowed: its webhooks are refused",
        template: "an OWN pharmacy has no webhook secret (and allow_unsigned holds only outside production); its webhooks are refused",
    },
}
