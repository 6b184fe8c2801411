// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/Cli.h"
#include "core/Logging.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

QtMessageHandler g_defaultHandler = nullptr;

void quietRuntimeDirNotice(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")))
        return;
    if (g_defaultHandler)
        g_defaultHandler(type, context, message);
}

} // namespace

int main(int argc, char *argv[])
{
    // The commands that typeset the response letter need Qt Gui's fonts, on
    // the offscreen platform so that they run on a server without a display.
    // The rest start as a plain core application.
    const bool typesets = argc > 1 && (std::strcmp(argv[1], "bundle") == 0 || std::strcmp(argv[1], "demo") == 0);
    std::unique_ptr<QCoreApplication> app;
    if (typesets) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // A server session has no XDG runtime directory; Qt then uses a
        // private one and says so, which is no news to an administrator.
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR"))
            g_defaultHandler = qInstallMessageHandler(quietRuntimeDirNotice);
        app = std::make_unique<QGuiApplication>(argc, argv);
        qInstallMessageHandler(nullptr);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    rf::installPrintableLogHandler();
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
