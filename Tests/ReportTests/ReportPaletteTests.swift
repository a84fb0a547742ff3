import Foundation
import Models
import Results
import TestSupport
import Testing

@testable import Report

/// One colour for one meaning (issue 13): models keep theirs in every chart, segments and stages
/// draw from palettes that share no colour with them, and every model can be told from every
/// other in grey print.
@Suite("Report palette")
struct ReportPaletteTests {
    static let modelColours = ReportPalette.series.map { $0.uppercased() }

    @Test("no colour means both a model and a segment or stage, nor both a segment and a stage")
    func palettesDisjoint() {
        let segments = Set(ReportPalette.segments.map { $0.uppercased() })
        let stages = Set(ReportPalette.stages.map { $0.uppercased() })
        #expect(Set(Self.modelColours).isDisjoint(with: segments))
        #expect(Set(Self.modelColours).isDisjoint(with: stages))
        #expect(segments.isDisjoint(with: stages))
        // Annotations (the objective, a noisy cell's ring) wear no model's colour either.
        #expect(!Self.modelColours.contains(ReportPalette.annotation.uppercased()))
        #expect(segments.count == ReportPalette.segments.count && stages.count == ReportPalette.stages.count)
        // Every part a chart stacks has its own colour.
        #expect(ReportPalette.segments.count >= ReportMetric.segments.count)
        #expect(ReportPalette.stages.count >= ReportMetric.cpuStages.count)
    }

    @Test("every model of the catalogue has its own colour, marker and dash")
    func modelsDistinct() {
        let styles = ModelCatalog.names.indices.map(ReportPalette.model)
        #expect(Set(styles.map(\.color)).count == styles.count)
        #expect(Set(styles.map { "\($0.marker)" }).count == styles.count)
        #expect(Set(styles.map(\.dash)).count == styles.count)
        #expect(ReportPalette.model(0).color == "#0072B2" && ReportPalette.model(0).dash.isEmpty)
    }

    @Test("in greyscale two models differ in lightness, or else in both marker and dash")
    func greyscale() {
        let styles = ModelCatalog.names.indices.map(ReportPalette.model)
        for (i, a) in styles.enumerated() {
            for b in styles[(i + 1)...] {
                let apart = abs(ReportPalette.luminance(a.color) - ReportPalette.luminance(b.color)) >= 0.1
                #expect(apart || ("\(a.marker)" != "\(b.marker)" && a.dash != b.dash), "\(a) and \(b)")
            }
        }
        // The stacked parts read by lightness alone: each end-to-end segment and each stage a
        // step lighter than the one before it.
        for palette in [
            Array(ReportPalette.segments.prefix(ReportMetric.endToEndSegments.count)), ReportPalette.stages,
        ] {
            let lightness = palette.map(ReportPalette.luminance)
            for (darker, lighter) in zip(lightness, lightness.dropFirst()) { #expect(lighter - darker >= 0.1) }
        }
        #expect(ReportPalette.luminance("#000000") == 0 && abs(ReportPalette.luminance("#FFFFFF") - 1) < 1e-9)
    }

    @Test("in the rendered report a model's colour is the same in every chart, and no stacked part wears one")
    func renderedColours() throws {
        let document = ReportRendererTests.document
        let models = ReportModel([ReportSource(label: "fixture", records: ReportRendererTests.records)]).models
        let elements = document.elements
        var points = 0
        for (index, element) in elements.enumerated() where element.attributes["class"] == "point" {
            guard let series = element.attributes["data-series"], let model = models.firstIndex(of: series) else {
                continue
            }
            // The marker: the shape drawn in the point after its tooltip and error bar.
            let marker = elements[(index + 1)...].prefix(4).first {
                ["circle", "rect"].contains($0.name) || ($0.name == "path" && $0.attributes["fill"] != nil)
            }
            let colour = ReportPalette.model(model).color
            #expect(marker?.attributes["fill"] == colour || marker?.attributes["stroke"] == colour, "\(series)")
            points += 1
        }
        #expect(points > 0)
        var parts = 0
        for (index, element) in elements.enumerated() where element.attributes["class"] == "segment" {
            let rect = try #require(elements[(index + 1)...].first { $0.name == "rect" })
            let fill = try #require(rect.attributes["fill"])
            let palette = element.chart == "cpu" ? ReportPalette.stages : ReportPalette.segments
            #expect(palette.contains(fill) && !Self.modelColours.contains(fill.uppercased()), "\(fill)")
            parts += 1
        }
        #expect(parts > 0)
    }
}
