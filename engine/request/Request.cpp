// SPDX-License-Identifier: GPL-3.0-or-later
#include "Request.h"

namespace rf {

const QStringList &knownRights()
{
    static const QStringList rights {
        QStringLiteral("access"),
        QStringLiteral("rectification"),
        QStringLiteral("erasure"),
        QStringLiteral("restriction"),
        QStringLiteral("portability"),
        QStringLiteral("objection"),
        QStringLiteral("automated-decision"),
    };
    return rights;
}

const QStringList &knownChannels()
{
    static const QStringList channels {
        QStringLiteral("email"),
        QStringLiteral("telephone"),
        QStringLiteral("in-person"),
        QStringLiteral("webchat"),
        QStringLiteral("post"),
        QStringLiteral("web"),
    };
    return channels;
}

const QStringList &knownIdentifierKinds()
{
    static const QStringList kinds {
        QStringLiteral("name"),
        QStringLiteral("email"),
        QStringLiteral("phone"),
        QStringLiteral("address"),
        QStringLiteral("postcode"),
        QStringLiteral("ni-number"),
        QStringLiteral("account"),
    };
    return kinds;
}

const QStringList &knownRoles()
{
    static const QStringList roles {QStringLiteral("officer"), QStringLiteral("dpo"), QStringLiteral("admin")};
    return roles;
}

} // namespace rf
