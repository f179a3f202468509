namespace Concord.Server.Schema;

/// <summary>The JSON type a declared field must hold.</summary>
public enum FieldType
{
    /// <summary>Any JSON value.</summary>
    Any,

    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON number without a fraction or exponent.</summary>
    Integer,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A JSON object.</summary>
    Object,

    /// <summary>A JSON array.</summary>
    Array,
}
