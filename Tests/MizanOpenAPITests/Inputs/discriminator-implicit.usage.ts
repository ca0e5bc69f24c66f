// Compiled with the kernel generated from discriminator-implicit.json: without a mapping the
// discriminator values are the schema names, and the switch narrows on them.
import type { Drawing, Shape, Stroke } from "./index.js";

export function area(shape: Shape): number {
  switch (shape.kind) {
    case "Circle":
      return Math.PI * shape.radius * shape.radius;
    case "Square":
      // @ts-expect-error radius belongs to Circle.
      void shape.radius;
      return shape.side * shape.side;
  }
}

export function dashes(stroke: Stroke): number {
  switch (stroke.style) {
    case "Solid": return 0;
    case "Dashed": return stroke.pattern.length;
  }
}

export function label(drawing: Drawing): string {
  const value = drawing.label;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return `circle of ${value.radius}`;
}
