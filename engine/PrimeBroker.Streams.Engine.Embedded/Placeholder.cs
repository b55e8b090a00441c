namespace PrimeBroker.Streams.Engine.Embedded; internal static class Placeholder {}
