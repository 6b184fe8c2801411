// SPDX-License-Identifier: GPL-3.0-or-later
#include "Logging.h"

Q_LOGGING_CATEGORY(lcStore, "rightsflow.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcWorkflow, "rightsflow.workflow", QtWarningMsg)
Q_LOGGING_CATEGORY(lcEngine, "rightsflow.engine", QtWarningMsg)
Q_LOGGING_CATEGORY(lcMail, "rightsflow.mail", QtWarningMsg)
