// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QStringList>
#include <QTextStream>

namespace rf {

// The `rightsflow` command-line program, with its streams injected so tests
// can run it in-process as well as as a real process. Each command parses its
// own options; errors go to `err` as one clear line each, with a non-zero exit.
class Cli
{
public:
    // Exit codes, documented in `rightsflow --help`.
    enum Exit {
        Ok = 0,
        Failed = 1, // e.g. the audit trail does not verify
        Usage = 2, // bad arguments or invalid input
        NotFound = 3,
        Refused = 4, // role or guard refused the action
        Conflict = 5, // stale version: someone else changed the request
        StorageFailed = 6,
        Unsupported = 7,
        Exists = 8, // the output file exists and --force was not given
    };

    Cli(QTextStream &out, QTextStream &err)
        : m_out(out)
        , m_err(err)
    { }

    // `arguments` excludes the program name.
    int run(const QStringList &arguments);

    [[nodiscard]] static int exitCodeFor(ErrorCode code);

private:
    QTextStream &m_out;
    QTextStream &m_err;

    int fail(const Error &error);
    int usageError(const QString &message, const QString &helpCommand);
    // `rightsflow GROUP --help` lists the group's sub-commands; anything else
    // that is not a sub-command is a usage error naming the choices.
    int groupHelpOrUsage(const QString &group, const QString &sub, const QStringList &subCommands);

    int cmdInit(const QStringList &args);
    int cmdWorkflow(const QStringList &args);
    int cmdUser(const QStringList &args);
    int cmdRequest(const QStringList &args);
    int cmdAudit(const QStringList &args);
    int cmdDemo(const QStringList &args);
    int cmdDeadline(const QStringList &args);
    int cmdCalendar(const QStringList &args);
    int cmdWorker(const QStringList &args);
    int cmdOutbox(const QStringList &args);
    int cmdRetention(const QStringList &args);
    int cmdItem(const QStringList &args);
    int cmdBundle(const QStringList &args);
    int cmdMail(const QStringList &args);
};

} // namespace rf
