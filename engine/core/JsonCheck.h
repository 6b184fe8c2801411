// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the validators of Rightsflow's JSON files (workflow definitions, the
// processing register) share: problems collected as "FILE: $.path: what is
// wrong" so that one run reports everything to fix, and the position of
// invalid JSON as a line and column a person can find. Every JSON file the
// program reads is parsed by parseJsonStrict, which refuses what Qt's parser
// lets through: a key named twice in one object (Qt keeps the last, so a file
// that holds two workflows would validate as the second), raw control
// characters and NUL in strings, lone UTF-16 surrogates and invalid UTF-8.

#include "core/InputLimits.h"
#include "core/Result.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace rf {

// "a string", "an array", "null" ...: what a value is, for messages.
[[nodiscard]] QString jsonTypeName(const QJsonValue &value);

// Nesting deeper than this is refused; Qt's parser has the same limit.
inline constexpr int kMaxJsonDepth = 1024;

// `json` parsed strictly: larger than `kind` may be, not valid JSON, or
// anything JSON or Rightsflow forbids that Qt would accept, is an Invalid
// error whose details are "SOURCE:LINE:COLUMN: $.path: what is wrong", one
// line per problem (at most a few dozen are listed).
[[nodiscard]] Result<QJsonDocument> parseJsonStrict(const QByteArray &json, const QString &source, InputKind kind);

// The top-level object of a configuration file, parsed strictly; `invalid`
// ("FILE: invalid exemption list") heads the error when it is not strict JSON
// or not an object.
[[nodiscard]] Result<QJsonObject> parseJsonObject(
    const QByteArray &json, const QString &source, const QString &invalid, InputKind kind);

// "FILE:LINE:COLUMN: not valid JSON: WHY" for a parse error of `json`.
[[nodiscard]] QString jsonSyntaxProblem(const QByteArray &json, const QJsonParseError &error, const QString &source);

class JsonChecker
{
public:
    explicit JsonChecker(QString source)
        : m_source(std::move(source))
    { }

    void problem(const QString &path, const QString &message);
    [[nodiscard]] const QStringList &problems() const { return m_problems; }
    // "WHAT (N problems)" with every problem as a detail line.
    [[nodiscard]] Error refusal(const QString &what) const;

    // Every key of `object` not in `allowed` is a problem.
    void unknownKeys(const QJsonObject &object, const QString &path, const QStringList &allowed);

    // The string at `key`. A required one must be present and not blank; an
    // optional one may be absent but, when given, must be a string.
    QString string(const QJsonObject &object, const QString &path, const QString &key, bool required);

    // The array at `key` (empty when absent or not an array, which is a
    // problem when required).
    QJsonArray array(const QJsonObject &object, const QString &path, const QString &key, bool required);

private:
    QString m_source;
    QStringList m_problems;
};

} // namespace rf
