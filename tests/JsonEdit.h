// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Edits a JSON document for a test row: the value at `path`
// ("transitions/2/guards/1", "systems/2/retention") is replaced; an undefined
// value removes it; an index one past the end of an array appends.

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace rf::test {

inline QJsonValue editedJson(const QJsonValue &node, QStringList path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    const QString step = path.takeFirst();
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        const qsizetype index = step.toInt();
        if (path.isEmpty() && value.isUndefined()) {
            array.removeAt(index);
            return array;
        }
        if (index == array.size())
            array.append(QJsonValue());
        array[index] = editedJson(array.at(index), path, value);
        return array;
    }
    QJsonObject object = node.toObject();
    if (path.isEmpty() && value.isUndefined()) {
        object.remove(step);
        return object;
    }
    object[step] = editedJson(object.value(step), path, value);
    return object;
}

} // namespace rf::test
