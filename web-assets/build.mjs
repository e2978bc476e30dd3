// Builds the launchwatch web UI's front-end assets from npm packages into
// src/launchwatch/web/static/ (committed, so `pip install launchwatch` needs no npm):
//
//   basemap/countries.json   country outlines: world-atlas (Natural Earth 1:50m) TopoJSON,
//                            converted with topojson-client into compact GeoJSON
//                            (coordinates rounded to 0.01 degree, about 1 km; rings cut
//                            at the antimeridian made continuous, so Chukotka and Fiji
//                            reach past 180; Antarctica left out: its ring circles the
//                            pole and no flat map of launches needs it)
//   vendor/tablesort*.js     click-to-sort table headers (an optional enhancement)
//   vendor/LICENSES.txt      the licences of what is copied
//
// Run: cd web-assets && npm ci && npm run build
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const dest = join(here, "..", "src", "launchwatch", "web", "static");
const PRECISION = 100;  // 0.01 degree (about 1 km): under a pixel on the regional maps the UI draws

function round(v) {
  return Math.round(v * PRECISION) / PRECISION;
}

// A ring with rounded coordinates and no repeated points; null once it collapses.
// A step of more than 180 degrees of longitude crosses the antimeridian: the rest of
// the ring is shifted by 360 so the outline stays in one piece.
function compactRing(ring) {
  const out = [];
  let shift = 0;
  let previous = null;
  for (const [x, y] of ring) {
    if (previous !== null && Math.abs(x + shift - previous) > 180) shift += x + shift > previous ? -360 : 360;
    previous = x + shift;
    const p = [round(x + shift), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
}

function compactPolygons(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map((rings) => rings.map(compactRing).filter(Boolean)).filter((rings) => rings.length);
}

function buildBasemap() {
  const topology = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-50m.json"), "utf8"));
  const countries = feature(topology, topology.objects.countries).features
    .filter((f) => f.geometry && f.properties.name !== "Antarctica")
    .map((f) => ({ type: "Feature", id: f.id ?? null, properties: { name: f.properties.name },
                   geometry: { type: "MultiPolygon", coordinates: compactPolygons(f.geometry) } }))
    .filter((f) => f.geometry.coordinates.length);
  mkdirSync(join(dest, "basemap"), { recursive: true });
  const out = { type: "FeatureCollection",
                source: "world-atlas 2.0.2 countries-50m (Natural Earth, public domain), via topojson-client",
                features: countries };
  writeFileSync(join(dest, "basemap", "countries.json"), JSON.stringify(out));
  return countries.length;
}

function copyVendor() {
  mkdirSync(join(dest, "vendor"), { recursive: true });
  const dist = join(modules, "tablesort", "dist");
  copyFileSync(join(dist, "tablesort.min.js"), join(dest, "vendor", "tablesort.min.js"));
  copyFileSync(join(dist, "sorts", "tablesort.number.min.js"), join(dest, "vendor", "tablesort.number.min.js"));
  const licences = [
    ["tablesort (MIT)", join(modules, "tablesort", "LICENCE")],
    ["world-atlas (ISC; data: Natural Earth, public domain)", join(modules, "world-atlas", "LICENSE")],
    ["topojson-client (ISC; build time only)", join(modules, "topojson-client", "LICENSE")],
  ].map(([name, path]) => `== ${name}\n\n${readFileSync(path, "utf8").trim()}\n`);
  writeFileSync(join(dest, "vendor", "LICENSES.txt"), licences.join("\n"));
}

const n = buildBasemap();
copyVendor();
console.log(`built ${n} country outlines and the vendored scripts into ${dest}`);
