/// One page of an Asana list answer: `{"data":[…],"next_page":{"offset":"…","path":"…","uri":"…"}|null}`
/// (https://developers.asana.com/docs/pagination).
///
/// `next_page` has three states that matter: an object (more pages: send its `offset`), `null`
/// (last page), or no key at all (Asana only omits it when `limit` was not sent, so for a request
/// with `limit` the page is suspect and ``AsanaClient`` throws ``AsanaAPIError/malformedPage(path:)``).
struct AsanaPage<Element: Decodable>: Decodable {
    /// The records of this page.
    let data: [Element]
    /// What `next_page` said.
    let next: NextPageMarker

    enum CodingKeys: String, CodingKey {
        case data
        case nextPage = "next_page"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try container.decode([Element].self, forKey: .data)
        if !container.contains(.nextPage) {
            next = .absent
        } else if try container.decodeNil(forKey: .nextPage) {
            next = .lastPage
        } else {
            let nextPage = try container.decode(NextPage.self, forKey: .nextPage)
            next = .offset(nextPage.offset)
        }
    }
}

/// The state of a page's `next_page` key.
enum NextPageMarker: Equatable {
    /// No `next_page` key.
    case absent
    /// `"next_page": null`: the list is complete.
    case lastPage
    /// `"next_page": {"offset": …}`: fetch the next page with this opaque token.
    case offset(String)
}

/// The `next_page` object; only `offset` is used (`path` and `uri` repeat it).
struct NextPage: Decodable {
    let offset: String
}

/// A single-object answer: `{"data": {…}}`.
struct AsanaEnvelope<Value: Decodable>: Decodable {
    let data: Value
}

/// Asana's error body: `{"errors":[{"message":"…","help":"…","phrase":"…"}]}` (https://developers.asana.com/docs/errors).
struct AsanaErrorBody: Decodable {
    struct Entry: Decodable {
        let message: String?
        let phrase: String?
    }
    let errors: [Entry]
}
