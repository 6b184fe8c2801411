// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// One logging category per engine module; enable with
// QT_LOGGING_RULES="rightsflow.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcWorkflow)
Q_DECLARE_LOGGING_CATEGORY(lcEngine)
Q_DECLARE_LOGGING_CATEGORY(lcMail)

namespace rf {

// Makes every log message of the process printable (rf::printable()): log
// lines quote names, file names and relay replies, and one holding an escape
// sequence or a line break could otherwise forge a log line or drive the
// terminal that shows it. Chains to the handler installed before.
void installPrintableLogHandler();

} // namespace rf
