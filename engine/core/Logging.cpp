// SPDX-License-Identifier: GPL-3.0-or-later
#include "Logging.h"

#include "core/Text.h"

Q_LOGGING_CATEGORY(lcStore, "rightsflow.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcWorkflow, "rightsflow.workflow", QtWarningMsg)
Q_LOGGING_CATEGORY(lcEngine, "rightsflow.engine", QtWarningMsg)
Q_LOGGING_CATEGORY(lcMail, "rightsflow.mail", QtWarningMsg)

namespace rf {

namespace {

QtMessageHandler g_previousHandler = nullptr;

void printableMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    // Qt hands back its own default handler when none was installed before.
    if (g_previousHandler)
        g_previousHandler(type, context, printable(message));
}

} // namespace

void installPrintableLogHandler()
{
    g_previousHandler = qInstallMessageHandler(printableMessage);
}

} // namespace rf
