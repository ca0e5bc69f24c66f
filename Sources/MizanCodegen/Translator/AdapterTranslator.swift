import MizanSchema

/// The framework adapters mizan generates on top of the kernel (stage 2).
public enum Adapter: String, CaseIterable, Sendable {
    case react, vue, svelte

    /// The template that renders this adapter, and the file it writes.
    var template: String { "\(rawValue)/\(rawValue).ts" }
    var outputPath: String { "\(rawValue).ts" }
}

/// Stage 2 translation: the kernel's `clients.ts` context → the adapter context. Only naming is
/// decided here; every type comes from the kernel context, so the two stages cannot disagree.
struct AdapterTranslator {
    let clients: ClientsFileContext
    /// For per-client docs, which the kernel context keeps inside the nested API members.
    let schema: Schema

    /// `use…` names the adapters define or import (React's own hooks); a client whose short name
    /// would clash with one uses its full name.
    static let reservedBaseNames: Set<String> = [
        "Mizan", "MizanMutation", "MizanClient", "Callback", "Context", "Ref", "State", "SyncExternalStore",
    ]

    func adapterFile() -> AdapterFileContext {
        let shortNames = clients.clients.map { Naming.pascalCase(String($0.name.split(separator: ".").last ?? "")) }
        var counts: [String: Int] = [:]
        for name in shortNames { counts[name, default: 0] += 1 }
        let fullNames = Set(clients.clients.map(\.typePrefix))
        let docs = Dictionary(schema.clients.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var queries: [AdapterClientContext] = []
        var mutations: [AdapterClientContext] = []
        for (client, short) in zip(clients.clients, shortNames) {
            // A short name is used only when it is unambiguous among short and full names alike.
            let unique = counts[short] == 1 && !Self.reservedBaseNames.contains(short)
                && (!fullNames.contains(short) || short == client.typePrefix)
            let base = unique ? short : client.typePrefix
            let source = docs[client.name]
            let affects = source?.affects.map { "`\($0.client)`" } ?? []
            let invalidates = affects.isEmpty ? [] : ["On success invalidates " + affects.joined(separator: ", ") + "."]
            func doc(indent: String) -> String {
                TypeScriptNames.docComment(
                    source?.doc.map { String($0.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") },
                    deprecation: source?.deprecation,
                    extra: ["`\(client.name)`: `\(client.method) \(source?.path ?? "")`"] + invalidates, indent: indent)
            }
            let context = AdapterClientContext(
                name: client.name, nameLiteral: client.nameLiteral, baseName: base, memberName: Naming.camelCase(base),
                paramsType: client.paramsType, hasParams: client.hasParams,
                paramsRequired: client.params.contains { !$0.optional }, doc: doc(indent: ""), memberDoc: doc(indent: "    "))
            if client.method == "GET" { queries.append(context) } else { mutations.append(context) }
        }
        func union(_ items: [AdapterClientContext]) -> String {
            items.isEmpty ? "never" : items.map(\.nameLiteral).joined(separator: " | ")
        }
        return AdapterFileContext(
            header: clients.header, queryNames: union(queries), mutationNames: union(mutations),
            queries: queries, mutations: mutations,
            paramsTypes: (queries + mutations).filter(\.hasParams).map(\.paramsType).sorted().map(AdapterImportContext.init))
    }
}

extension AdapterFileContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "header": TemplateValue(header)
        case "queryNames": TemplateValue(queryNames)
        case "mutationNames": TemplateValue(mutationNames)
        case "queries": TemplateValue(queries)
        case "mutations": TemplateValue(mutations)
        case "paramsTypes": TemplateValue(paramsTypes)
        default: nil
        }
    }
}

extension AdapterClientContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "name": TemplateValue(self.name)
        case "nameLiteral": TemplateValue(nameLiteral)
        case "baseName": TemplateValue(baseName)
        case "memberName": TemplateValue(memberName)
        case "paramsType": TemplateValue(paramsType)
        case "hasParams": TemplateValue(hasParams)
        case "paramsRequired": TemplateValue(paramsRequired)
        case "doc": TemplateValue(doc)
        case "memberDoc": TemplateValue(memberDoc)
        default: nil
        }
    }
}

extension AdapterImportContext: TemplateContext {
    public func value(for name: String) -> TemplateValue? {
        switch name {
        case "name": TemplateValue(self.name)
        default: nil
        }
    }
}
