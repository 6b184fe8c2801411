// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace rf {

// An exemption an officer records when an item of a response is withheld or
// redacted: the provision of the Data Protection Act 2018 it rests on, and
// the sentence the covering letter uses to explain it to the requester.
struct Exemption {
    QString id;
    QString title;
    QString provision;
    QString letter;
    bool allowsRedact = false;
    bool allowsWithhold = false;
};

// The configured list of exemptions (resources/bundle/exemptions.json is the
// shipped one, compiled in at :/bundle/exemptions.json). Validated strictly:
// every problem is reported at once as "FILE: JSON-PATH: what is wrong".
class ExemptionList
{
public:
    [[nodiscard]] static Result<ExemptionList> parse(const QByteArray &json, const QString &source);
    [[nodiscard]] static Result<ExemptionList> load(const QString &path);
    // The shipped list.
    [[nodiscard]] static const ExemptionList &shipped();

    [[nodiscard]] const QList<Exemption> &exemptions() const { return m_exemptions; }
    [[nodiscard]] const Exemption *find(const QString &id) const;
    [[nodiscard]] QStringList ids() const;

private:
    QList<Exemption> m_exemptions;
};

} // namespace rf
