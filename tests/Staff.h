// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The IG team every suite and benchmark works with: root, the register's
// first user and its admin, who adds two officers and the DPO.

#include "workflow/Engine.h"

#include <QList>
#include <QString>

namespace rf::test {

struct StaffMember {
    QString name;
    QString role;
    [[nodiscard]] QString email() const { return name + QStringLiteral("@council.example"); }
};

inline QList<StaffMember> staff()
{
    return {
        {QStringLiteral("root"), QStringLiteral("admin")},
        {QStringLiteral("alice"), QStringLiteral("officer")},
        {QStringLiteral("bilal"), QStringLiteral("officer")},
        {QStringLiteral("dana"), QStringLiteral("dpo")},
    };
}

// Adds staff() to a fresh register through the engine, root first.
inline Status addStaff(Engine &engine)
{
    for (const StaffMember &member : staff()) {
        if (Result<User> user = engine.addUser(member.name, member.role, member.email(), QStringLiteral("root")); !user)
            return user.error();
    }
    return {};
}

} // namespace rf::test
