// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundle/RecordSet.h"

#include "core/JsonCheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace rf {

Result<RecordSet> RecordSet::parse(const QByteArray &json, const QString &source)
{
    Result<QJsonDocument> parsed = parseJsonStrict(json, source, InputKind::Records);
    if (!parsed)
        return parsed.error();
    const QJsonDocument document = *parsed;
    JsonChecker check(source);
    QJsonArray rows;
    RecordSet set;
    bool ordered = false;
    if (document.isArray()) {
        rows = document.array();
    } else if (document.isObject()) {
        const QJsonObject top = document.object();
        check.unknownKeys(top, QStringLiteral("$"), {QStringLiteral("columns"), QStringLiteral("records")});
        rows = check.array(top, QStringLiteral("$"), QStringLiteral("records"), true);
        if (top.contains(QStringLiteral("columns"))) {
            ordered = true;
            const QJsonArray columns = check.array(top, QStringLiteral("$"), QStringLiteral("columns"), true);
            QSet<QString> seen;
            for (qsizetype i = 0; i < columns.size(); ++i) {
                const QString path = QStringLiteral("$.columns[%1]").arg(i);
                const QString name = columns.at(i).toString();
                if (!columns.at(i).isString() || name.trimmed().isEmpty())
                    check.problem(path,
                        QStringLiteral("a column name must be a non-empty string, not %1").arg(jsonTypeName(columns.at(i))));
                else if (seen.contains(name))
                    check.problem(path, QStringLiteral("column '%1' is named twice").arg(name));
                else
                    set.m_columns.append(name);
                seen.insert(name);
            }
        }
    } else {
        check.problem(QStringLiteral("$"),
            QStringLiteral("expected an array of records or an object with \"records\", found %1")
                .arg(document.isNull() ? QStringLiteral("nothing") : jsonTypeName(QJsonValue())));
    }
    const QString base = document.isArray() ? QStringLiteral("$") : QStringLiteral("$.records");
    QSet<QString> known(set.m_columns.cbegin(), set.m_columns.cend());
    QStringList found;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QString path = QStringLiteral("%1[%2]").arg(base).arg(i);
        if (!rows.at(i).isObject()) {
            check.problem(path, QStringLiteral("a record must be an object, not %1").arg(jsonTypeName(rows.at(i))));
            continue;
        }
        const QJsonObject record = rows.at(i).toObject();
        for (auto it = record.constBegin(); it != record.constEnd(); ++it) {
            const QString keyPath = QStringLiteral("%1.%2").arg(path, it.key());
            if (it.key().trimmed().isEmpty())
                check.problem(path, QStringLiteral("a column name is empty"));
            if (it->isObject() || it->isArray())
                check.problem(keyPath,
                    QStringLiteral("%1: a record holds one value per column (a string, number, true, false or "
                                   "null); put nested data in columns of its own")
                        .arg(jsonTypeName(*it)));
            if (!known.contains(it.key())) {
                if (ordered)
                    check.problem(keyPath, QStringLiteral("'%1' is not one of the columns listed in $.columns").arg(it.key()));
                else
                    found.append(it.key());
                known.insert(it.key());
            }
        }
        set.m_records.append(record);
    }
    if (!check.problems().isEmpty())
        return check.refusal(QStringLiteral("%1: these records cannot be taken").arg(source));
    if (set.m_records.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: there are no records in it").arg(source));
    if (!ordered) {
        found.sort();
        set.m_columns = found;
    }
    return set;
}

QByteArray RecordSet::canonicalJson() const
{
    QJsonArray rows;
    for (const QJsonObject &record : m_records)
        rows.append(record);
    return QJsonDocument(
        QJsonObject {{QStringLiteral("columns"), QJsonArray::fromStringList(m_columns)}, {QStringLiteral("records"), rows}})
        .toJson(QJsonDocument::Compact);
}

QString RecordSet::cellText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        // As JSON writes it: integers without a decimal point.
        const QByteArray text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(text.mid(1, text.size() - 2));
    }
    default:
        return {};
    }
}

} // namespace rf
