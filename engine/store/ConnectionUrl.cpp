// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectionUrl.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace rf {

namespace {

// libpq parameters an administrator may set in the URL's query. Anything else
// is refused by name rather than passed on to fail obscurely.
const QStringList kAllowedOptions {
    QStringLiteral("sslmode"),
    QStringLiteral("sslrootcert"),
    QStringLiteral("sslcert"),
    QStringLiteral("sslkey"),
    QStringLiteral("connect_timeout"),
    QStringLiteral("application_name"),
    QStringLiteral("target_session_attrs"),
};

} // namespace

bool PostgresLocation::isPostgresUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive)
        || location.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

bool PostgresLocation::looksLikeUrl(const QString &location)
{
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]+:"));
    static const QRegularExpression credentials(QStringLiteral("^[^/\\\\\\s:]+:[^/\\\\@\\s]*@"));
    return scheme.match(location).hasMatch() || credentials.match(location).hasMatch();
}

QString PostgresLocation::redacted(const QString &location)
{
    if (isPostgresUrl(location)) {
        QUrl url(location);
        url.setPassword(QString());
        return url.isValid() ? url.toString() : QStringLiteral("(an invalid PostgreSQL URL)");
    }
    if (looksLikeUrl(location))
        return location.section(QLatin1Char(':'), 0, 0) + QStringLiteral(":...");
    return location;
}

Result<PostgresLocation> PostgresLocation::parse(const QString &url)
{
    // Messages about a bad URL never repeat it: it may carry a password.
    const QUrl parsed(url, QUrl::StrictMode);
    if (!isPostgresUrl(url) || !parsed.isValid())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the register URL is not a valid PostgreSQL URL; expected "
                           "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require]"));
    PostgresLocation location;
    if (!parsed.host().isEmpty())
        location.host = parsed.host();
    if (parsed.port() == 0)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the PostgreSQL register URL names port 0, which no server listens on: give the server's "
                           "port (5432 unless it was changed) or leave it out"));
    if (parsed.port() != -1)
        location.port = parsed.port();
    location.user = parsed.userName(QUrl::FullyDecoded);
    location.password = parsed.password(QUrl::FullyDecoded);
    location.database = parsed.path(QUrl::FullyDecoded).mid(1);
    if (location.database.isEmpty() || location.database.contains(QLatin1Char('/')))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the PostgreSQL register URL names no database: add it after the host, as in "
                           "postgresql://USER@HOST:PORT/rightsflow"));
    const QUrlQuery query(parsed);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!kAllowedOptions.contains(key))
            return makeError(ErrorCode::Invalid,
                QStringLiteral("the PostgreSQL register URL has an unknown option '%1'; allowed: %2")
                    .arg(key, kAllowedOptions.join(QStringLiteral(", "))));
        // A value goes to libpq as key=value; a space, quote or separator in
        // it would smuggle in other parameters (another host, say).
        static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9._/+-]*$"));
        if (!plain.match(value).hasMatch())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("the PostgreSQL register URL's option '%1' has a value with spaces, quotes or separators; "
                               "only letters, digits and . _ / + - are accepted")
                    .arg(key));
        location.options << key + QLatin1Char('=') + value;
    }
    if (!query.hasQueryItem(QStringLiteral("connect_timeout")))
        location.options << QStringLiteral("connect_timeout=10");
    if (!query.hasQueryItem(QStringLiteral("application_name")))
        location.options << QStringLiteral("application_name=rightsflow");
    return location;
}

QString PostgresLocation::display() const
{
    return QStringLiteral("PostgreSQL register %1 on %2:%3").arg(database, host).arg(port);
}

} // namespace rf
