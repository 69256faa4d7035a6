//! What every command works with: the accounts, the chain, the store, names, and
//! the steps shared by the commands (encrypt and store, fetch and decrypt, wrap keys).

use super::*;

impl Ctx {
	/// The unlocked account this command acts as.
	pub fn me(&self) -> Result<Identity> {
		let name = match &self.account {
			Some(name) => name.clone(),
			None => {
				let all = self.keystore.list()?;
				match all.as_slice() {
					[one] => one.name.clone(),
					[] => return Err(fail(exit::KEYS, "no account yet: `medchain account new <name>`")),
					_ => return Err(fail(
						exit::USAGE,
						"several accounts in the keystore: say which with --as <name> (or MEDCHAIN_ACCOUNT)",
					)),
				}
			}
		};
		let pw = match &self.password {
			Some(pw) => pw.to_string(),
			None => password(&format!("password for {name}: "))?,
		};
		Ok(self.keystore.unlock(&name, &pw)?)
	}

	/// An account from an address (any SS58 prefix, 0x hex) or a keystore name.
	pub fn account(&self, text: &str) -> Result<[u8; 32]> {
		if let Some(acc) = keys::parse_account(text) {
			return Ok(acc);
		}
		if let Ok(info) = self.keystore.info(text) {
			return Ok(keys::parse_account(&info.address).expect("stored addresses parse"));
		}
		Err(fail(
			exit::USAGE,
			format!("'{text}' is neither an address nor an account in this keystore"),
		))
	}

	/// The patient this command concerns: `--for` or oneself.
	pub fn patient_of(&self, me: &Identity, who: &ForArgs) -> Result<[u8; 32]> {
		match &who.patient {
			Some(p) => self.account(p),
			None => Ok(me.account()),
		}
	}

	/// A readable name: `"Dr. <name>"` for doctors, the keystore name, or the address.
	pub fn name(&self, address: &str) -> String {
		if let Some(n) = self.names.borrow().get(address) {
			return n.clone();
		}
		let acc = keys::parse_account(address);
		let mut name = None;
		if let Some(acc) = acc {
			if let Ok(Some(doctor)) = self.chain.doctor(&AccountId32::from(acc), None) {
				name = Some(format!("Dr. {}", doctor.name));
			}
			if name.is_none() {
				if let Ok(list) = self.keystore.list() {
					let me = keys::address_of(&acc);
					name = list.into_iter().find(|i| i.address == me).map(|i| i.name);
				}
			}
		}
		let name = name.unwrap_or_else(|| short(address));
		self.names.borrow_mut().insert(address.to_string(), name.clone());
		name
	}

	pub fn hospital_name(&self, id: medchain_primitives::HospitalId) -> String {
		match self.chain.hospital(id, None) {
			Ok(Some(hospital)) => format!("{} (#{id})", hospital.name),
			_ => format!("hospital #{id}"),
		}
	}

	/// Send a call and report it; `what` names it for the human.
	/// Send a call as `me`, and wait as `--wait` says; without it, until the block is
	/// finalized for the calls other people act on (grants, revocations, approvals,
	/// denials, key rotations, erasures), in a block for the others.
	pub fn send(&self, me: &Identity, call: RuntimeCall) -> Result<Included> {
		let wait =
			self.wait.unwrap_or(if relied_on(&call) { Wait::Finalized } else { Wait::InBlock });
		Ok(self.chain.submit(me, call, wait)?)
	}

	pub fn done(&self, included: &Included, text: String, extra: Value) {
		if self.json {
			let mut v = json!({
				"block": format!("{:?}", included.block),
				"blockNumber": included.block_number,
				"extrinsic": format!("{:?}", included.extrinsic),
				"feeless": included.feeless,
				"finalized": included.finalized,
				"message": text,
			});
			if let (Some(map), Value::Object(extra)) = (v.as_object_mut(), extra) {
				map.extend(extra);
			}
			self.emit(&v);
		} else {
			let fee = if included.feeless { "free" } else { "fee paid" };
			let finality = if included.finalized { ", finalized" } else { "" };
			println!("{text} (block #{}{finality}, {fee})", included.block_number);
		}
	}

	/// A path for a temporary file of this process, in a directory only the
	/// user can read. Temporary files of processes that are gone (a crash, a
	/// kill) are removed here. They only ever hold ciphertext: no command
	/// writes plaintext anywhere but the output it was asked for.
	pub fn tmp(&self, name: &str) -> Result<PathBuf> {
		let dir = self.home.join("tmp");
		files::private_dir(&dir)?;
		for entry in std::fs::read_dir(&dir)?.flatten() {
			let file = entry.file_name();
			let pid =
				file.to_str().and_then(|f| f.split('-').next()).and_then(|p| p.parse::<u32>().ok());
			if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
				let _ = std::fs::remove_file(entry.path());
			}
		}
		Ok(dir.join(format!("{}-{name}", std::process::id())))
	}

	/// The public encryption key a reader registered (doctor or patient): a data
	/// key wrapped to it is readable by whoever holds the private key, so with a
	/// second node (`--verify-node`) both must agree on it at the same finalized
	/// block, and that block's key is the one used.
	pub fn reader_key(&self, account: &[u8; 32]) -> Result<[u8; 32]> {
		let address = keys::address_of(account);
		let Some(second) = &self.verify else {
			return Self::encryption_key_at(&self.chain, account, None)?
				.ok_or_else(|| self.no_key(&address));
		};
		let at = self.chain.finalized_hash()?;
		let block = format!("{at:?}");
		let mine = Self::encryption_key_at(&self.chain, account, Some(at))?;
		let theirs =
			Self::answer_at(second, at, |node| Self::encryption_key_at(node, account, Some(at)))?;
		if mine != theirs {
			return Err(fail(
				exit::CHAIN,
				format!(
					"the two nodes disagree about {}'s encryption key at block {block} ({} says {}, \
					 {} says {}): nothing was wrapped or sent. One of them is lying or broken",
					self.name(&address),
					self.chain.url(),
					mine.map_or("none".into(), |k| chain::hex0x(&k)),
					second.url(),
					theirs.map_or("none".into(), |k| chain::hex0x(&k)),
				),
			));
		}
		mine.ok_or_else(|| self.no_key(&address))
	}

	/// What the second node (`--verify-node`) answers at block `at`, which it may not have
	/// reached yet: it is given up to ten seconds.
	pub fn answer_at<T>(
		second: &Chain,
		at: sp_core::H256,
		ask: impl Fn(&Chain) -> std::result::Result<T, ChainError>,
	) -> Result<T> {
		let mut answer = ask(second);
		for _ in 0..10 {
			if answer.is_ok() {
				break;
			}
			std::thread::sleep(std::time::Duration::from_secs(1));
			answer = ask(second);
		}
		answer.map_err(|e| {
			fail(
				exit::CHAIN,
				format!(
					"the second node ({}) could not answer for block {at:?}: {}",
					second.url(),
					Failure::from(e).message
				),
			)
		})
	}

	/// The encryption key `node` gives for the doctor or patient `account`
	/// (at block `at`, or its best block).
	pub fn encryption_key_at(
		node: &Chain,
		account: &[u8; 32],
		at: Option<sp_core::H256>,
	) -> std::result::Result<Option<[u8; 32]>, ChainError> {
		let account = AccountId32::from(*account);
		if let Some(doctor) = node.doctor(&account, at)? {
			return Ok(Some(doctor.encryption_key.0));
		}
		Ok(node.patient(&account, at)?.map(|patient| patient.encryption_key.0))
	}

	pub fn no_key(&self, address: &str) -> Failure {
		fail(
			exit::CHAIN,
			format!(
				"{} has no encryption key on chain (not a patient or doctor)",
				self.name(address)
			),
		)
	}

	pub fn record(&self, id: u64) -> Result<Record> {
		self.chain.record(id, None)?.ok_or_else(|| {
			fail(exit::CHAIN, format!("there is no record {id} (it may have been erased)"))
		})
	}

	/// Unwrap `me`'s current key to `record`.
	pub fn data_key(&self, me: &Identity, record: &Record) -> Result<crypto::DataKey> {
		let id = record.id;
		let wrapped =
			self.chain.wrapped_key(id, &AccountId32::from(me.account()))?.ok_or_else(|| {
				fail(
					exit::CHAIN,
					format!(
						"you hold no key to record {id}: the patient must grant you access (or \
						 approve your request) to share it"
					),
				)
			})?;
		let info = crypto::wrap_info(&patient_bytes(record), &origin_cid(record)?, wrapped.epoch);
		Ok(me.encryption.unwrap_key(&wrapped.wrapped, &info, &me.account())?)
	}

	/// Wrap `key` for each reader.
	pub fn wrap_for(
		&self,
		key: &[u8; 32],
		patient: &[u8; 32],
		origin: &str,
		epoch: u32,
		readers: &[[u8; 32]],
	) -> Result<Vec<(AccountId32, WrappedKey)>> {
		let info = crypto::wrap_info(patient, origin, epoch);
		let mut out = Vec::new();
		for reader in readers {
			if out
				.iter()
				.any(|(a, _): &(AccountId32, WrappedKey)| <[u8; 32]>::from(a.clone()) == *reader)
			{
				continue;
			}
			let public = self.reader_key(reader)?;
			let wrapped = crypto::wrap_key(key, &public, &info, reader)?;
			out.push((AccountId32::from(*reader), bounded(wrapped, "a wrapped key")?));
		}
		Ok(out)
	}

	/// Encrypt a file for `patient` and store it; the CID text.
	pub fn encrypt_and_store(
		&self,
		key: &[u8; 32],
		patient: &[u8; 32],
		file: &Path,
	) -> Result<String> {
		let size = std::fs::metadata(file)
			.map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", file.display())))?
			.len();
		let sealed_path = self.tmp("sealed")?;
		let bar = output::Bar::new(size, "encrypting", self.json);
		let input = Progress {
			inner: std::io::BufReader::new(std::fs::File::open(file)?),
			done: 0,
			bar: &bar,
		};
		let result = (|| {
			let out = std::io::BufWriter::new(files::create_private(&sealed_path)?);
			crypto::encrypt_stream(key, patient, input, out)?;
			bar.finish();
			let sealed_size = std::fs::metadata(&sealed_path)?.len();
			let up = output::Bar::new(sealed_size, "storing", self.json);
			let cid = self.store.add(&sealed_path, &|n| up.set(n))?;
			up.finish();
			Ok::<_, Failure>(cid.to_string())
		})();
		let _ = std::fs::remove_file(&sealed_path);
		result
	}

	/// Re-encrypt the file `cid` (checked against it) from `key` to `new_key` and store
	/// the result; its CID. The plaintext is never written anywhere: decryption feeds
	/// encryption through a pipe.
	pub fn reencrypt(
		&self,
		cid: &str,
		key: &[u8; 32],
		new_key: &[u8; 32],
		patient: &[u8; 32],
	) -> Result<String> {
		let parsed: cid::Cid = cid
			.parse()
			.map_err(|_| fail(exit::CHAIN, format!("the chain holds a malformed CID {cid}")))?;
		let fetched = self.tmp("fetched")?;
		let sealed = self.tmp("sealed")?;
		let result = (|| {
			let bar = output::Bar::new(0, "downloading", true);
			self.store.get(&parsed, &fetched, &|n| bar.set(n))?;
			let (from_decrypt, to_encrypt) = std::io::pipe()?;
			let source = std::io::BufReader::new(std::fs::File::open(&fetched)?);
			let (key, binding) = (*key, *patient);
			let decrypting = std::thread::spawn(move || {
				crypto::decrypt_stream(&key, &binding, source, to_encrypt)
			});
			let out = std::io::BufWriter::new(files::create_private(&sealed)?);
			let encrypted = crypto::encrypt_stream(new_key, patient, from_decrypt, out);
			let decrypted =
				decrypting.join().map_err(|_| fail(exit::CRYPTO, "decryption failed"))?;
			// A failed encryption breaks the pipe under decryption: report it first. A failed
			// decryption ends the stream early, which encryption cannot see: check it too.
			encrypted?;
			decrypted?;
			let up = output::Bar::new(std::fs::metadata(&sealed)?.len(), "storing", self.json);
			let new_cid = self.store.add(&sealed, &|n| up.set(n))?;
			up.finish();
			Ok(new_cid.to_string())
		})();
		let _ = std::fs::remove_file(&fetched);
		let _ = std::fs::remove_file(&sealed);
		result
	}

	/// Fetch a version's file, check it against its CID, decrypt it to `out`.
	pub fn fetch_and_decrypt(
		&self,
		cid: &str,
		key: &[u8; 32],
		patient: &[u8; 32],
		out: &Path,
	) -> Result<u64> {
		Ok(self.fetch_and_decrypt_any(cid, &[key], patient, out)?.0)
	}

	/// Fetch a version's file once, check it against its CID, and decrypt it to `out` with
	/// the first of `keys` that opens it (a wrong key fails on the first chunk's tag).
	/// Returns the size and which key opened it.
	pub fn fetch_and_decrypt_any(
		&self,
		cid: &str,
		keys: &[&[u8; 32]],
		patient: &[u8; 32],
		out: &Path,
	) -> Result<(u64, usize)> {
		let cid: cid::Cid = cid
			.parse()
			.map_err(|_| fail(exit::CHAIN, format!("the chain holds a malformed CID {cid}")))?;
		let fetched = self.tmp("fetched")?;
		let bar = output::Bar::new(0, "downloading", true);
		self.store.get(&cid, &fetched, &|n| bar.set(n))?;
		let partial = out.with_extension("medchain-partial");
		let decrypt = |key: &[u8; 32]| {
			let input = std::io::BufReader::new(std::fs::File::open(&fetched)?);
			let output = std::io::BufWriter::new(files::create_private(&partial)?);
			crypto::decrypt_stream(key, patient, input, output)
		};
		let mut result = Err(fail(exit::CRYPTO, "no key to try"));
		for (i, key) in keys.iter().enumerate() {
			match decrypt(key) {
				Ok(size) => {
					result = std::fs::rename(&partial, out).map(|_| (size, i)).map_err(Into::into);
					break;
				}
				Err(CryptoError::Tampered { chunk: 0 }) if i + 1 < keys.len() => continue,
				Err(e) => {
					result = Err(e.into());
					break;
				}
			}
		}
		let _ = std::fs::remove_file(&fetched);
		if result.is_err() {
			let _ = std::fs::remove_file(&partial);
		}
		result
	}
}

/// Bytes written into a DAG builder.
pub struct DagWriter<'a, F: FnMut(&cid::Cid, &[u8]) -> std::io::Result<()>>(
	pub &'a mut crate::unixfs::DagBuilder<F>,
);

impl<F: FnMut(&cid::Cid, &[u8]) -> std::io::Result<()>> std::io::Write for DagWriter<'_, F> {
	fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
		self.0.write(buf)?;
		Ok(buf.len())
	}
	fn flush(&mut self) -> std::io::Result<()> {
		Ok(())
	}
}

pub struct Progress<'a, R> {
	inner: R,
	done: u64,
	bar: &'a output::Bar,
}

impl<R: std::io::Read> std::io::Read for Progress<'_, R> {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		let n = self.inner.read(buf)?;
		self.done += n as u64;
		self.bar.set(self.done);
		Ok(n)
	}
}

/// Whether other people act on this call as soon as it is reported done: a doctor
/// opening records after a grant, a revoked reader losing access, a follower deleting an
/// erased file. Those wait for finality by default.
pub fn relied_on(call: &RuntimeCall) -> bool {
	use pallet_access::Call as A;
	use pallet_records::Call as R;
	matches!(
		call,
		RuntimeCall::Access(
			A::grant { .. }
				| A::change_grant { .. }
				| A::revoke { .. }
				| A::approve_request { .. }
				| A::deny_request { .. }
		) | RuntimeCall::Records(R::rotate_key { .. } | R::erase_record { .. })
	)
}
