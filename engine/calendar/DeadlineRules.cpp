// SPDX-License-Identifier: GPL-3.0-or-later
#include "DeadlineRules.h"

#include "core/JsonCheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace rf {

QString toString(PeriodUnit unit)
{
    switch (unit) {
    case PeriodUnit::CalendarMonths:
        return QStringLiteral("calendar-months");
    case PeriodUnit::Days:
        return QStringLiteral("days");
    case PeriodUnit::WorkingDays:
        return QStringLiteral("working-days");
    }
    return {};
}

Result<DeadlineRuleBook> DeadlineRuleBook::parse(const QByteArray &json, const QString &source)
{
    const QString invalid = QStringLiteral("%1: invalid deadline rules").arg(source);
    Result<QJsonDocument> parsed = parseJsonStrict(json, source, InputKind::DeadlineRules);
    if (!parsed)
        return makeError(ErrorCode::Invalid, invalid, parsed.error().details);
    const QJsonDocument document = *parsed;
    const QJsonValue sets = document.object().value(QStringLiteral("ruleSets"));
    if (!sets.isArray())
        return makeError(
            ErrorCode::Invalid, invalid, {QStringLiteral("%1: $.ruleSets: expected an array of rule sets").arg(source)});

    static const QRegularExpression idPattern(QStringLiteral("^[a-z][a-z0-9-]*$"));
    static const QStringList keys {QStringLiteral("id"), QStringLiteral("title"), QStringLiteral("regime"),
        QStringLiteral("from"), QStringLiteral("unit"), QStringLiteral("length"), QStringLiteral("extension"),
        QStringLiteral("clarificationPauses"), QStringLiteral("rollToWorkingDay"), QStringLiteral("description")};
    QStringList problems;
    DeadlineRuleBook book;
    const QJsonArray array = sets.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = QStringLiteral("%1: $.ruleSets[%2]").arg(source).arg(i);
        const QJsonObject o = array.at(i).toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!keys.contains(it.key()))
                problems << QStringLiteral("%1.%2: unknown key (expected one of: %3)")
                                .arg(path, it.key(), keys.join(QStringLiteral(", ")));
        }
        DeadlineRuleSet r;
        r.id = o.value(QStringLiteral("id")).toString();
        if (!idPattern.match(r.id).hasMatch())
            problems << QStringLiteral("%1.id: '%2' is not a rule set id (lower-case letters, digits and '-')").arg(path, r.id);
        else if (book.byId(r.id))
            problems << QStringLiteral("%1.id: duplicate rule set '%2'").arg(path, r.id);
        r.title = o.value(QStringLiteral("title")).toString();
        r.regime = o.value(QStringLiteral("regime")).toString();
        if (!idPattern.match(r.regime).hasMatch())
            problems << QStringLiteral("%1.regime: missing or not a name").arg(path);
        r.from = QDate::fromString(o.value(QStringLiteral("from")).toString(), Qt::ISODate);
        if (!r.from.isValid())
            problems << QStringLiteral("%1.from: expected the first day it applies, YYYY-MM-DD").arg(path);
        const QString unit = o.value(QStringLiteral("unit")).toString();
        if (unit == QLatin1String("calendar-months"))
            r.unit = PeriodUnit::CalendarMonths;
        else if (unit == QLatin1String("days"))
            r.unit = PeriodUnit::Days;
        else if (unit == QLatin1String("working-days"))
            r.unit = PeriodUnit::WorkingDays;
        else
            problems << QStringLiteral("%1.unit: '%2' is not calendar-months, days or working-days").arg(path, unit);
        const QJsonValue length = o.value(QStringLiteral("length"));
        r.length = length.toInt(-1);
        if (!length.isDouble() || r.length < 1 || r.length > 1000)
            problems << QStringLiteral("%1.length: expected a whole number of units from 1 to 1000").arg(path);
        const QJsonValue extension = o.value(QStringLiteral("extension"));
        r.extension = extension.toInt(-1);
        if (!extension.isDouble() || r.extension < 0 || r.extension > 1000)
            problems << QStringLiteral("%1.extension: expected a whole number of units from 0 to 1000").arg(path);
        const QJsonValue pauses = o.value(QStringLiteral("clarificationPauses"));
        const QJsonValue roll = o.value(QStringLiteral("rollToWorkingDay"));
        if (!pauses.isBool())
            problems << QStringLiteral("%1.clarificationPauses: expected true or false").arg(path);
        if (!roll.isBool())
            problems << QStringLiteral("%1.rollToWorkingDay: expected true or false").arg(path);
        r.clarificationPauses = pauses.toBool();
        r.rollToWorkingDay = roll.toBool();
        r.description = o.value(QStringLiteral("description")).toString();
        book.m_ruleSets.append(r);
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::Invalid, invalid, problems);
    return book;
}

const DeadlineRuleBook &DeadlineRuleBook::shipped()
{
    static const DeadlineRuleBook book = [] {
        const QString path = QStringLiteral(":/rules/deadline-rules.json");
        Result<QByteArray> content = readInputFile(path, InputKind::DeadlineRules);
        Result<DeadlineRuleBook> parsed = content ? parse(*content, path) : Result<DeadlineRuleBook>(content.error());
        Q_ASSERT_X(parsed.ok(), "DeadlineRuleBook::shipped", "the shipped deadline rules do not parse");
        return parsed.ok() ? std::move(parsed).value() : DeadlineRuleBook();
    }();
    return book;
}

const DeadlineRuleSet *DeadlineRuleBook::byId(const QString &id) const
{
    for (const DeadlineRuleSet &r : m_ruleSets) {
        if (r.id == id)
            return &r;
    }
    return nullptr;
}

const DeadlineRuleSet *DeadlineRuleBook::inForce(const QString &regime, const QDate &received) const
{
    const DeadlineRuleSet *best = nullptr;
    for (const DeadlineRuleSet &r : m_ruleSets) {
        if (r.regime == regime && r.from <= received && (!best || r.from > best->from))
            best = &r;
    }
    return best;
}

} // namespace rf
