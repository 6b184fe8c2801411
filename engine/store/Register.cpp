// SPDX-License-Identifier: GPL-3.0-or-later
#include "Register.h"

#include "store/ConnectionUrl.h"
#include "store/SqlStore.h"

#include "core/Clock.h"

#include <QDir>
#include <QStandardPaths>

namespace rf {

Status admitsClock(Store &store, const Clock &clock)
{
    if (!clock.isMoved())
        return {};
    Result<bool> rehearsal = store.isRehearsal();
    if (!rehearsal)
        return rehearsal.error();
    if (!*rehearsal)
        return makeError(ErrorCode::Refused,
            QStringLiteral("the clock is set to %1 rather than the real time, and %2 is a live register, not a rehearsal "
                           "register: on a live register only the real time counts, so nothing was done. Rehearse on a "
                           "register created for rehearsal.")
                .arg(isoUtc(clock.now()), store.describe()));
    return {};
}

QString Register::defaultLocation()
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/rightsflow/register.sqlite");
}

QString Register::resolveLocation(const QString &fromCommandLine)
{
    if (!fromCommandLine.isEmpty())
        return fromCommandLine;
    const QString fromEnv = qEnvironmentVariable("RIGHTSFLOW_DB");
    return fromEnv.isEmpty() ? defaultLocation() : fromEnv;
}

Result<std::unique_ptr<Store>> Register::open(const QString &location, bool create)
{
    if (PostgresLocation::isPostgresUrl(location)) {
        // The database itself is made by its administrator (createdb); 'init'
        // and every other command bring its schema up to date.
        auto store = std::make_unique<SqlStore>(SqlDialect::Postgres, location, SqlStore::Options {create});
        if (Status s = store->open(); !s)
            return s.error();
        return std::unique_ptr<Store>(std::move(store));
    }
    QString path = location;
    if (path.startsWith(QLatin1String("sqlite://"), Qt::CaseInsensitive))
        path = path.mid(9);
    else if (PostgresLocation::looksLikeUrl(path))
        // Never a file path: a mistyped URL would become folders named after
        // its password.
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the register '%1' is neither a file path nor a postgresql:// URL; a shared register is "
                           "postgresql://USER@HOST:PORT/DATABASE, and a file whose name looks like a URL is sqlite://PATH")
                .arg(PostgresLocation::redacted(location)));
    auto store = std::make_unique<SqlStore>(SqlDialect::Sqlite, path, SqlStore::Options {create});
    if (Status s = store->open(); !s)
        return s.error();
    return std::unique_ptr<Store>(std::move(store));
}

} // namespace rf
