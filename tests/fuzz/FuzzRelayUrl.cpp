// SPDX-License-Identifier: GPL-3.0-or-later
// The SMTP relay URL (RIGHTSFLOW_SMTP_URL): what SmtpSettings accepts is
// described by a URL that reads back to the same settings, and no refusal
// repeats the password it was given.
#include "FuzzSupport.h"

#include "mail/SmtpClient.h"

#include <QUrl>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const QString url = QString::fromUtf8(rf::fuzz::bytes(data, size));
    const rf::Result<rf::SmtpSettings> settings = rf::SmtpSettings::fromUrl(url);
    rf::fuzz::requireExplained(settings, "SmtpSettings::fromUrl");
    if (!settings)
        return 0;
    const QString described = settings->describe();
    const QUrl describedUrl(described, QUrl::StrictMode);
    rf::fuzz::require(describedUrl.password().isEmpty(), "the description leaves the password out", described);
    const rf::Result<rf::SmtpSettings> again = rf::SmtpSettings::fromUrl(described);
    rf::fuzz::require(bool(again), "a relay's description reads back",
        described + QLatin1Char('\n') + (again ? QString() : again.error().fullText()));
    rf::fuzz::require(again->host == settings->host && again->port == settings->port && again->user == settings->user
            && again->tls == settings->tls && again->allowSelfSigned == settings->allowSelfSigned
            && again->pinnedSha256 == settings->pinnedSha256 && again->timeoutSeconds == settings->timeoutSeconds
            && again->heloName == settings->heloName,
        "a relay's description reads back to the same settings", described);
    return 0;
}
