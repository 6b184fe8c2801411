// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonCheck.h"

#include "core/SafeOutput.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace rf {

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString jsonSyntaxProblem(const QByteArray &json, const QJsonParseError &error, const QString &source)
{
    // Qt reports the offset just past the token it could not use, except for
    // garbage after the document, where it points at the stray character.
    const int at = error.error == QJsonParseError::GarbageAtEnd ? error.offset : error.offset - 1;
    const QByteArray head = json.left(qMax(0, at));
    const qsizetype line = head.count('\n') + 1;
    const qsizetype column = head.size() - (head.lastIndexOf('\n') + 1) + 1;
    return QStringLiteral("%1:%2:%3: not valid JSON: %4").arg(source).arg(line).arg(column).arg(error.errorString());
}

Result<QByteArray> readConfigFile(const QString &path, const QString &what)
{
    // A file the program configures itself from is never a place to write to.
    SafeOutput::protect(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read %2: %3").arg(path, what, file.errorString()));
    return file.readAll();
}

Result<QJsonObject> parseJsonObject(const QByteArray &json, const QString &source, const QString &invalid)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ErrorCode::Invalid, invalid, {jsonSyntaxProblem(json, parseError, source)});
    if (!document.isObject())
        return makeError(ErrorCode::Invalid, invalid, {QStringLiteral("%1: $: expected an object at the top level").arg(source)});
    return document.object();
}

Error JsonChecker::refusal(const QString &what) const
{
    return makeError(ErrorCode::Invalid,
        QStringLiteral("%1 (%2)").arg(
            what, m_problems.size() == 1 ? QStringLiteral("1 problem") : QStringLiteral("%1 problems").arg(m_problems.size())),
        m_problems);
}

void JsonChecker::problem(const QString &path, const QString &message)
{
    m_problems << m_source + QStringLiteral(": ") + path + QStringLiteral(": ") + message;
}

void JsonChecker::unknownKeys(const QJsonObject &object, const QString &path, const QStringList &allowed)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            problem(path + QLatin1Char('.') + it.key(),
                QStringLiteral("unknown key (expected one of: %1)").arg(allowed.join(QStringLiteral(", "))));
    }
}

QString JsonChecker::string(const QJsonObject &object, const QString &path, const QString &key, bool required)
{
    const QJsonValue value = object.value(key);
    const QString at = path + QLatin1Char('.') + key;
    if (value.isUndefined()) {
        if (required)
            problem(at, QStringLiteral("missing (expected a string)"));
        return {};
    }
    if (!value.isString()) {
        problem(at, QStringLiteral("expected a string, found %1").arg(jsonTypeName(value)));
        return {};
    }
    if (required && value.toString().trimmed().isEmpty())
        problem(at, QStringLiteral("must not be empty"));
    return value.toString();
}

QJsonArray JsonChecker::array(const QJsonObject &object, const QString &path, const QString &key, bool required)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined()) {
        if (required)
            problem(path + QLatin1Char('.') + key, QStringLiteral("missing (expected an array)"));
        return {};
    }
    if (!value.isArray()) {
        problem(path + QLatin1Char('.') + key, QStringLiteral("expected an array, found %1").arg(jsonTypeName(value)));
        return {};
    }
    return value.toArray();
}

} // namespace rf
