// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "store/Store.h"

#include <memory>

namespace rf {

// Where the register is and how to open it: `--db` wins, then RIGHTSFLOW_DB,
// then a SQLite file under the user's data directory.
class Register
{
public:
    [[nodiscard]] static QString defaultLocation();
    [[nodiscard]] static QString resolveLocation(const QString &fromCommandLine);

    // Opens (and migrates) the register at `location`. With `create`, a
    // missing SQLite file is created; otherwise it is an error.
    [[nodiscard]] static Result<std::unique_ptr<Store>> open(const QString &location, bool create);
};

} // namespace rf
