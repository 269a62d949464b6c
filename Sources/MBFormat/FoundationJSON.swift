import Foundation

/// Type checks for values from `JSONSerialization`, which on Linux bridges numbers and booleans
/// into NSNumber so that `0 is Bool` is true; the boolean literals alone carry objCType "c".
public enum FoundationJSON {
    public static func isBool(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// A JSON number that is not a boolean.
    public static func number(_ value: Any) -> NSNumber? {
        guard let n = value as? NSNumber, !isBool(n) else { return nil }
        return n
    }

    /// A JSON number with an integral value within `Int32` range (token ids, dimensions).
    public static func integer(_ value: Any) -> Int? {
        guard let n = number(value), n.doubleValue.isFinite, n.doubleValue == n.doubleValue.rounded(),
              abs(n.doubleValue) <= Double(Int32.max) else { return nil }
        return n.intValue
    }
}
