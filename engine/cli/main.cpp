// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/Cli.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("rightsflow"));
    QCoreApplication::setOrganizationName(QStringLiteral("Rightsflow"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RIGHTSFLOW_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    rf::Cli cli(out, err);
    const int code = cli.run(QCoreApplication::arguments().mid(1));
    out.flush();
    err.flush();
    return code;
}
