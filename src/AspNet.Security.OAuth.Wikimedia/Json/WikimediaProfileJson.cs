using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AspNet.Security.OAuth.Wikimedia.Json;

/// <summary>
/// Reads <see cref="WikimediaProfile"/> from the profile endpoint's answer (docs/protocol.md section 6), for the handler
/// at sign-in and for <see cref="WikimediaApiClient.GetProfileAsync(CancellationToken)"/>, so that both read it alike.
/// </summary>
/// <remarks>
/// The source-generated contract is adjusted here, not with attributes on <see cref="WikimediaProfile"/>: its own
/// JSON form stays the plain one that an app's serializer, reflection-based or source-generated, reads and writes,
/// while only this reader bears with what Wikimedia has sent or may send. Every member gets a converter that turns a
/// value of the wrong JSON type into null, so that reading an object cannot fail: an unusable <c>sub</c> is the one
/// refusal, and it is decided after reading.
/// </remarks>
internal static class WikimediaProfileJson
{
    private static readonly Dictionary<string, JsonConverter> WireConverters = new(StringComparer.Ordinal)
    {
        ["sub"] = new UserIdConverter(),
        ["username"] = new StringConverter(),
        ["editcount"] = new Int64Converter(),
        ["confirmed_email"] = new BooleanConverter(),
        ["blocked"] = new BooleanConverter(),
        ["registered"] = new TimestampConverter(),
        // "*" is the implicit group of every visitor, even an anonymous one: it says nothing about the user.
        ["groups"] = new StringListConverter(leaveOut: "*"),
        ["rights"] = new StringListConverter(leaveOut: null),
        ["grants"] = new StringListConverter(leaveOut: null),
        ["realname"] = new StringConverter(),
        ["email"] = new StringConverter(),
    };

    /// <summary>The contract of <see cref="WikimediaProfile"/> as Wikimedia sends it.</summary>
    internal static readonly JsonTypeInfo<WikimediaProfile> TypeInfo = (JsonTypeInfo<WikimediaProfile>)new JsonSerializerOptions
    {
        TypeInfoResolver = WikimediaJsonContext.Default.WithAddedModifier(ReadAsWikimediaSends),
    }.GetTypeInfo(typeof(WikimediaProfile));

    /// <summary>The profile in a parsed answer, or null when the answer is not a JSON object or has no usable <c>sub</c>.</summary>
    public static WikimediaProfile? Read(JsonElement answer)
        => answer.ValueKind == JsonValueKind.Object ? Usable(answer.Deserialize(TypeInfo)) : null;

    /// <summary>
    /// The profile in an answer's body; null for a JSON <c>null</c>.
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON, not a JSON object, or has no usable <c>sub</c>.</exception>
    public static WikimediaProfile? Read(ReadOnlySpan<byte> utf8Json)
        => JsonSerializer.Deserialize(utf8Json, TypeInfo) is not { } profile ? null
            : Usable(profile) ?? throw new JsonException("The profile has no 'sub' string or number.");

    private static WikimediaProfile? Usable(WikimediaProfile? profile) => string.IsNullOrEmpty(profile?.Id) ? null : profile;

    private static void ReadAsWikimediaSends(JsonTypeInfo info)
    {
        if (info.Type != typeof(WikimediaProfile))
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            // A member added to WikimediaProfile without a converter here would fail every sign-in where it has the
            // wrong type: this makes the omission fail the first test that reads a profile instead.
            property.CustomConverter = WireConverters.TryGetValue(property.Name, out var converter)
                ? converter
                : throw new InvalidOperationException($"The profile member '{property.Name}' has no lenient converter in {nameof(WikimediaProfileJson)}.");

            // A missing sub is refused after reading, with the same message as a sub of the wrong type.
            property.IsRequired = false;
        }
    }

    /// <summary>Moves past a value of the wrong type, whatever its size, and reads it as null.</summary>
    private static T? Skip<T>(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return default;
    }

    /// <summary>A string, or the digits of a number: <c>sub</c> was a JSON number before December 2024.</summary>
    private sealed class UserIdConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => Skip<string>(ref reader),
        };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class StringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String ? reader.GetString() : Skip<string>(ref reader);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class Int64Converter : JsonConverter<long?>
    {
        public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : Skip<long?>(ref reader);

        public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
        {
            if (value is { } number)
            {
                writer.WriteNumberValue(number);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class BooleanConverter : JsonConverter<bool?>
    {
        public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => Skip<bool?>(ref reader),
        };

        public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
        {
            if (value is { } flag)
            {
                writer.WriteBooleanValue(flag);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>MediaWiki's <c>YYYYMMDDHHMMSS</c>, in UTC.</summary>
    private sealed class TimestampConverter : JsonConverter<DateTimeOffset?>
    {
        private const string Format = "yyyyMMddHHmmss";

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String &&
               DateTimeOffset.TryParseExact(reader.GetString(), Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : Skip<DateTimeOffset?>(ref reader);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } date)
            {
                writer.WriteStringValue(date.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>The non-empty strings of an array; an entry of another type is left out, and anything but an array is empty.</summary>
    private sealed class StringListConverter(string? leaveOut) : JsonConverter<IReadOnlyList<string>>
    {
        public override bool HandleNull => true;

        public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                return [];
            }

            var values = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } value && value != leaveOut)
                {
                    values.Add(value);
                }
                else
                {
                    reader.Skip();
                }
            }

            return values;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }

            writer.WriteEndArray();
        }
    }
}
