// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "request/Request.h"

#include <QDateTime>

namespace rf {

// Checks a request as it is filed, before anything reaches the register, and
// reports every problem at once, each line naming the field ("requester.email:
// 'bob@' is not an e-mail address"). It also fills in what can be derived: the
// identifiers taken from the data subject's own details, normalised forms.
// Every field first meets the one rule for text a person gives (core/Text.h:
// no control characters in one-line fields, a length limit on each), and an
// e-mail address the mailer's own rule (core/EmailAddress.h), so that a
// request is never filed with an address its notices cannot be sent to.
class IntakeValidator
{
public:
    // Receipt times up to this far ahead of the clock are accepted, so that a
    // desktop whose clock runs a little fast can still file a request.
    static constexpr qint64 kAllowedClockSkewSecs = 5 * 60;

    // The UK GDPR and the Data Protection Act 2018 apply from this day; the
    // register holds no older request.
    static inline const QDate kEarliestReceipt {2018, 5, 25};

    explicit IntakeValidator(const QDateTime &now)
        : m_now(now)
    { }

    // Returns the form with received time defaulted and identifiers completed,
    // or an Invalid error whose details list every field problem.
    [[nodiscard]] Result<IntakeForm> validate(const IntakeForm &form) const;

    [[nodiscard]] static bool isEmail(const QString &text);
    [[nodiscard]] static bool isUkPostcode(const QString &text);
    [[nodiscard]] static bool isNiNumber(const QString &text);
    [[nodiscard]] static bool isPhoneNumber(const QString &text);

    // The form used to compare identifiers when looking for duplicates:
    // e-mail lower-cased, postcode and NI number upper-cased without spaces,
    // phone as digits with +44 written as 0, names with single spaces.
    [[nodiscard]] static QString normalizeIdentifier(const QString &kind, const QString &value);

private:
    QDateTime m_now;
};

} // namespace rf
