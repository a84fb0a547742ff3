import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of a parsed report, each with the chart it sits in and the text of its
/// `<title>` child (the tooltip).
public final class ReportDocument: NSObject, XMLParserDelegate {
    public struct Element {
        public var name: String
        public var attributes: [String: String]
        public var chart: String?
        public var panel: String?
        public var tooltip: String = ""
        /// The text of the element and everything in it (its `<title>` included).
        public var content: String = ""
    }

    public private(set) var elements: [Element] = []
    public private(set) var error: (any Error)?
    public private(set) var text = ""
    private var stack: [Int] = []
    private var titleOwner: Int?
    private var inTitle = false

    public init(_ html: String) {
        super.init()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError ?? NSError(domain: "xml", code: 1) }
    }

    public var parsed: Bool { error == nil && !elements.isEmpty }

    public func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let parent = stack.last.map { elements[$0] }
        var element = Element(name: name, attributes: attributes, chart: parent?.chart, panel: parent?.panel)
        if name == "svg", let chart = attributes["data-chart"] {
            element.chart = chart
            element.panel = attributes["data-panel"]
        }
        if name == "title" { titleOwner = stack.last; inTitle = true }
        elements.append(element)
        stack.append(elements.count - 1)
    }

    public func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
        if name == "title" { inTitle = false; titleOwner = nil }
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
        for index in stack { elements[index].content += string }
        if inTitle, let owner = titleOwner { elements[owner].tooltip += string }
    }

    public func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = parseError }

    /// Elements of class `kind` (point, segment, cell) in charts named `chart`.
    public func data(_ kind: String, in chart: String) -> [Element] {
        elements.filter { $0.attributes["class"] == kind && $0.chart == chart }
    }
}
