// SPDX-License-Identifier: GPL-3.0-or-later
// The register location (--db, RIGHTSFLOW_DB): a PostgreSQL URL is parsed, and
// anything URL-like is redacted before a message shows it. Neither the
// redacted form nor the display of what parsed may carry the password, and a
// parsed port is one a server can listen on.
#include "FuzzSupport.h"

#include "store/ConnectionUrl.h"

#include <QUrl>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const QString location = QString::fromUtf8(rf::fuzz::bytes(data, size));
    const QString redacted = rf::PostgresLocation::redacted(location);
    const bool urlLike = rf::PostgresLocation::looksLikeUrl(location);
    if (!rf::PostgresLocation::isPostgresUrl(location))
        return 0;
    rf::fuzz::require(urlLike, "a PostgreSQL URL looks like a URL", location);
    // What may be shown is compared as a URL, not as text: a short password
    // can be a substring of anything (of a %-escape, of the port).
    rf::fuzz::require(QUrl(redacted).password().isEmpty(), "redacted() leaves the password out", redacted);
    const rf::Result<rf::PostgresLocation> parsed = rf::PostgresLocation::parse(location);
    rf::fuzz::requireExplained(parsed, "PostgresLocation::parse");
    if (!parsed)
        return 0;
    const QString &password = parsed->password;
    const bool shownAnyway = parsed->host.contains(password) || parsed->database.contains(password)
        || QStringLiteral("PostgreSQL register  on :").contains(password) || QString::number(parsed->port).contains(password);
    if (!password.isEmpty() && !shownAnyway)
        rf::fuzz::require(!parsed->display().contains(password), "display() leaves the password out", location);
    rf::fuzz::require(parsed->port >= 1 && parsed->port <= 65535, "a parsed port is a port", location);
    return 0;
}
