import MizanCore

/// A table while it is being built. A class because headers and dotted keys reach back into
/// tables created earlier; `freeze()` turns it into the value type the rest of the module uses.
final class TOMLTableBuilder {
    /// How the table came to exist, which decides whether a later header or dotted key may add
    /// to it (TOML 1.0, "Tables").
    enum Origin { case root, header, implicit, dotted, inline }
    enum Content {
        case value(TOMLValue)
        case table(TOMLTableBuilder)
    }
    struct Slot {
        var key: String
        var keyLocation: SourceLocation
        var content: Content
    }

    var origin: Origin
    let path: [String]
    var location: SourceLocation
    private var slots: [Slot] = []
    private var positions: [String: Int] = [:]

    init(origin: Origin, path: [String], location: SourceLocation) {
        self.origin = origin
        self.path = path
        self.location = location
    }

    func slot(_ key: String) -> Slot? {
        positions[key].map { slots[$0] }
    }

    func add(_ key: String, at location: SourceLocation, _ content: Content) {
        positions[key] = slots.count
        slots.append(Slot(key: key, keyLocation: location, content: content))
    }

    func freeze() -> TOMLTable {
        TOMLTable(
            entries: slots.map { slot in
                switch slot.content {
                case .value(let value):
                    TOMLEntry(key: slot.key, keyLocation: slot.keyLocation, value: value)
                case .table(let table):
                    TOMLEntry(
                        key: slot.key, keyLocation: slot.keyLocation,
                        value: TOMLValue(.table(table.freeze()), at: table.location))
                }
            })
    }
}
