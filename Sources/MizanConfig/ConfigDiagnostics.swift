import MizanCore

/// Every diagnostic code the configuration module emits, MZ100–MZ119. Tests refer to them by
/// these constants; the messages are built next to them in `ConfigDiagnostics`.
public enum ConfigCode {
    public static let syntaxError = "MZ100"
    public static let unsupportedFeature = "MZ101"
    public static let duplicateKey = "MZ102"
    public static let unknownKey = "MZ103"
    public static let wrongType = "MZ104"
    public static let invalidValue = "MZ105"
    public static let unknownTable = "MZ106"
    public static let badEnvironmentValue = "MZ107"
    public static let unknownEnvironmentVariable = "MZ108"
    public static let unreadableFile = "MZ109"
    public static let invalidFlag = "MZ110"

    /// One line per code, for a `codes` listing and the docs table.
    public static let summaries: [(code: String, summary: String)] = [
        (syntaxError, "mizan.toml is not valid TOML (stops reading the file)"),
        (unsupportedFeature, "valid TOML that mizan.toml does not accept: [[array tables]], multi-line strings, dates"),
        (duplicateKey, "a key or table is defined twice"),
        (unknownKey, "a key mizan.toml does not define (with a did-you-mean)"),
        (wrongType, "a value has the wrong TOML type"),
        (invalidValue, "a value is out of range or not one of the allowed values"),
        (unknownTable, "a [table] mizan.toml does not define (with a did-you-mean)"),
        (badEnvironmentValue, "a MIZAN_* variable holds a value that can't be used"),
        (unknownEnvironmentVariable, "a MIZAN_* variable that is not a config key (warning)"),
        (unreadableFile, "the config file cannot be read"),
        (invalidFlag, "a flag's value fails the checks mizan.toml values get"),
    ]
}

/// The messages of the codes above, one builder per problem, in code order, so the wording of
/// each code lives in one place. Messages name the key, variable or file involved and, where
/// possible, say what to do.
enum ConfigDiagnostics {
    /// MZ100: mizan.toml is not valid TOML. The parser stops at the first one, since what follows
    /// a syntax error is rarely read the way the author meant.
    static func syntax(_ problem: String, at location: SourceLocation) -> Diagnostic {
        .error(ConfigCode.syntaxError, problem, at: location)
    }

    /// MZ101: valid TOML that mizan.toml deliberately does not accept (dates, multi-line strings,
    /// arrays of tables); no mizan.toml key needs them.
    static func unsupported(_ feature: String, hint: String? = nil, at location: SourceLocation) -> Diagnostic {
        .error(
            ConfigCode.unsupportedFeature, "\(feature) not supported in mizan.toml" + (hint.map { "; \($0)" } ?? ""),
            at: location)
    }

    /// MZ102: a key or table written twice, which TOML forbids.
    static func duplicate(key path: [String], firstLine: Int, at location: SourceLocation) -> Diagnostic {
        .error(
            ConfigCode.duplicateKey,
            "duplicate key '\(TOMLKeys.display(path: path))'; it is already defined on line \(firstLine)",
            at: location)
    }
    static func duplicate(table path: [String], firstLine: Int, at location: SourceLocation) -> Diagnostic {
        .error(
            ConfigCode.duplicateKey,
            "table [\(TOMLKeys.display(path: path))] is defined twice; it is already defined on line \(firstLine)",
            at: location)
    }
    static func cannotExtend(_ path: [String], firstLine: Int, why: String, at location: SourceLocation) -> Diagnostic {
        .error(
            ConfigCode.duplicateKey,
            "cannot add to '\(TOMLKeys.display(path: path))' (defined on line \(firstLine)): \(why)",
            at: location)
    }

    /// MZ103: a key mizan.toml does not know, usually a typo; the closest known key is suggested.
    static func unknown(key: String, inTable table: String, known: [String], at location: SourceLocation) -> Diagnostic
    {
        let name = TOMLKeys.display(key)
        if let suggestion = Spelling.suggestion(for: key, among: known) {
            return .error(
                ConfigCode.unknownKey, "unknown key '\(name)' in [\(table)]; did you mean '\(suggestion)'?",
                at: location)
        }
        return .error(
            ConfigCode.unknownKey,
            "unknown key '\(name)' in [\(table)]; the keys of [\(table)] are \(known.sorted().joined(separator: ", "))",
            at: location)
    }
    static func unknownTopLevel(key: String, belongsIn table: String?, at location: SourceLocation) -> Diagnostic {
        let name = TOMLKeys.display(key)
        if let table {
            return .error(
                ConfigCode.unknownKey, "unknown key '\(name)' at the top level; '\(name)' belongs in [\(table)]",
                at: location)
        }
        return .error(
            ConfigCode.unknownKey,
            "unknown key '\(name)' at the top level; mizan.toml keys belong in [codegen], [dev] or [render]",
            at: location)
    }

    /// MZ104: a value of the wrong TOML type, such as a quoted port.
    static func wrongType(expected: String, for key: String, found: TOMLValue) -> Diagnostic {
        var message = "expected \(expected) for \(key), found \(found.typeDescription)"
        if case .string(let text) = found.kind, expected == "an integer", Int(text) != nil {
            message += "; remove the quotes: \(text)"
        }
        return .error(ConfigCode.wrongType, message, at: found.location)
    }

    /// MZ105: a value of the right type that is out of range or not one of the allowed values.
    static func invalid(_ key: String, _ problem: String, at location: SourceLocation) -> Diagnostic {
        .error(ConfigCode.invalidValue, "invalid value for \(key): \(problem)", at: location)
    }

    /// MZ106: a `[table]` mizan.toml does not have.
    static func unknown(table path: [String], known: [String], at location: SourceLocation) -> Diagnostic {
        let name = TOMLKeys.display(path: path)
        let list = known.map { "[\($0)]" }.joined(separator: ", ")
        if let suggestion = Spelling.suggestion(for: name, among: known) {
            return .error(
                ConfigCode.unknownTable, "unknown table [\(name)]; did you mean [\(suggestion)]?", at: location)
        }
        return .error(ConfigCode.unknownTable, "unknown table [\(name)]; mizan.toml has \(list)", at: location)
    }

    /// MZ107: a MIZAN_* variable whose value can't be used; there is no file location, so the
    /// message names the variable and repeats its value.
    static func badEnvironment(_ variable: String, value: String, _ problem: String) -> Diagnostic {
        .error(ConfigCode.badEnvironmentValue, "\(variable)='\(value)' \(problem)")
    }

    /// MZ108 (warning): a MIZAN_* variable that is not a config key, probably a typo; a warning
    /// because other tools may share the prefix.
    static func unknownEnvironment(_ variable: String, known: [String]) -> Diagnostic {
        var message = "\(variable) is not a mizan configuration variable and is ignored"
        if let suggestion = Spelling.suggestion(for: variable, among: known) {
            message += "; did you mean \(suggestion)?"
        }
        return .warning(ConfigCode.unknownEnvironmentVariable, message)
    }

    /// MZ109: the config file can't be read: an explicit path that does not exist, a folder, or
    /// a file that is not UTF-8.
    static func unreadable(_ path: String, _ problem: String) -> Diagnostic {
        .error(ConfigCode.unreadableFile, "cannot read config file '\(path)': \(problem)")
    }

    /// MZ110: a value the CLI passed from a flag that fails the same checks as the file.
    static func flag(_ key: String, _ problem: String) -> Diagnostic {
        .error(ConfigCode.invalidFlag, "invalid value for \(key) from the command line: \(problem)")
    }
}
